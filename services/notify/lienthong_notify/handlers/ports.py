"""What notify's handlers are given: the abstract unit of work with its repositories, the caller, and the
collaborators that are not storage (``Deps``). The SQL implementations live in ``adapters/``; the in-memory
ones in ``tests/notify/fakes.py``. Both are built by a composition root, never by a handler."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from lienthong_runtime.uow import UnitOfWork

from ..domain.callbacks import CallbackConfig, CallbackDue
from ..domain.channels import Channel, Status
from ..domain.contacts import Contact
from ..domain.limits import RateLimiter
from ..domain.notifications import (
    Claimed,
    NewNotification,
    Notification,
    NotificationFilter,
    RetryPolicy,
)
from ..domain.templates import TemplateVersion


class Conflict(Exception):
    """A write collided with a unique rule of the store (a name or an idempotency key already taken)."""


class NotificationRepository(abc.ABC):
    """Notifications (recipient, subject and body sealed at rest by the implementation). Agency reads are scoped
    to that agency; status changes only move forward."""

    @abc.abstractmethod
    async def add(self, items: Sequence[NewNotification]) -> None:
        """Store notifications and put them on the delivery queue."""

    @abc.abstractmethod
    async def insert_unless_key_used(self, items: Sequence[NewNotification]) -> set[str]:
        """Store those whose (agency, idempotency key) is unused; the ids stored. Queue them with enqueue."""

    @abc.abstractmethod
    async def enqueue(self, items: Sequence[NewNotification]) -> None: ...

    @abc.abstractmethod
    async def discard(self, ids: Sequence[str]) -> None:
        """Remove notifications stored earlier in this transaction that a limit then refused."""

    @abc.abstractmethod
    async def get(self, agency_id: str, notification_id: str) -> Notification | None: ...

    @abc.abstractmethod
    async def by_idempotency_keys(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[Notification, str]]:
        """Notifications already sent with any of the (agency, key) pairs, with their request fingerprints."""

    @abc.abstractmethod
    async def list_page(
        self, agency_id: str, flt: NotificationFilter, before_id: str | None, limit: int
    ) -> list[Notification]:
        """Newest first (ids sort by creation time), strictly before ``before_id``."""

    @abc.abstractmethod
    async def list_for_recipients(
        self, recipients: Sequence[str], before_id: str | None, limit: int
    ) -> list[Notification]:
        """Real (not test) notifications to any of ``recipients``, from every agency, newest first."""

    @abc.abstractmethod
    async def status_counts(self, agency_id: str, batch_id: str) -> dict[Status, int]: ...

    @abc.abstractmethod
    async def move(
        self,
        ids: Sequence[str],
        target: Status,
        now: datetime,
        *,
        reason: str = "",
        provider: str | None = None,
        attempted: bool = False,
    ) -> list[Notification]:
        """Move to ``target`` where that is forward (``channels.may_move``); returns those that moved."""

    @abc.abstractmethod
    async def count_attempt(self, ids: Sequence[str]) -> None: ...

    @abc.abstractmethod
    async def handed_over(self, notification_id: str, provider: str, provider_reference: str) -> None:
        """Record which provider took an SMS (its receipt moves the status on) and count the attempt."""

    @abc.abstractmethod
    async def expire_unconfirmed_sms(self, sent_before: datetime, now: datetime) -> list[Notification]:
        """SMS handed to a provider before ``sent_before`` whose receipt never came: TEMPORARY_FAILURE."""


class DeliveryQueue(abc.ABC):
    """The durable delivery queue: a claim is a lease; one-off entries before bulk ones."""

    @abc.abstractmethod
    async def claim(self, limit: int, lease_s: float, now: datetime) -> list[Claimed]: ...

    @abc.abstractmethod
    async def done(self, ids: Sequence[str]) -> None: ...

    @abc.abstractmethod
    async def retry_later(
        self, notification_id: str, due_at: datetime, error: str, recipient_unavailable: bool
    ) -> None: ...

    @abc.abstractmethod
    async def pending(self) -> int: ...


class TemplateRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, t: TemplateVersion) -> None:
        """A new template with its first version; :class:`Conflict` when the name is taken."""

    @abc.abstractmethod
    async def add_version(self, t: TemplateVersion) -> None: ...

    @abc.abstractmethod
    async def bump(self, agency_id: str, template_id: str, expected: int, name: str) -> bool:
        """Latest version ``expected`` -> ``expected + 1``; False if another update won; Conflict on a taken
        name."""

    @abc.abstractmethod
    async def get(self, agency_id: str, template_id: str, version: int = 0) -> TemplateVersion | None:
        """A version (0 = latest) of one of the agency's templates."""

    @abc.abstractmethod
    async def find_by_name(self, agency_id: str, channel: Channel, name: str) -> TemplateVersion | None: ...

    @abc.abstractmethod
    async def list_latest(
        self, agency_id: str, channel: Channel | None, after: tuple[str, str] | None, limit: int
    ) -> list[TemplateVersion]:
        """Latest versions ordered by (name, id), after the keyset ``after``."""

    @abc.abstractmethod
    async def get_latest_many(self, template_ids: set[str]) -> dict[str, TemplateVersion]:
        """Latest versions of the given templates (any agency: callers check the agency)."""


class BatchRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, row: dict[str, Any]) -> None:
        """Store a batch; :class:`Conflict` when its (agency, idempotency key) is taken."""

    @abc.abstractmethod
    async def get(self, agency_id: str, batch_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    async def by_idempotency_key(self, agency_id: str, key: str) -> dict[str, Any] | None: ...


class CallbackRepository(abc.ABC):
    """Agencies' callback settings and the queue of callback POSTs still to make."""

    @abc.abstractmethod
    async def get(self, agency_id: str) -> CallbackConfig | None: ...

    @abc.abstractmethod
    async def for_agencies(self, agency_ids: Iterable[str]) -> dict[str, CallbackConfig]: ...

    @abc.abstractmethod
    async def save(self, config: CallbackConfig, exists: bool) -> None: ...

    @abc.abstractmethod
    async def remove(self, agency_id: str) -> None: ...

    @abc.abstractmethod
    async def enqueue(self, due: Sequence[CallbackDue], now: datetime) -> None: ...

    @abc.abstractmethod
    async def claim(self, limit: int, lease_s: float, now: datetime) -> list[CallbackDue]: ...

    @abc.abstractmethod
    async def delivered(self, delivery_id: str) -> None: ...

    @abc.abstractmethod
    async def retry_at(self, delivery_id: str, due_at: datetime) -> None: ...


class UsageRepository(abc.ABC):
    @abc.abstractmethod
    async def add_within_cap(self, agency_id: str, channel: str, day: str, count: int, cap: int) -> bool:
        """Add ``count`` sends to the day's counter unless that passes ``cap`` (then nothing is added)."""


class ContactRepository(abc.ABC):
    """Citizens' contacts, found by a blind index of the personal ID and sealed by the implementation."""

    @abc.abstractmethod
    async def get(self, personal_id: str) -> Contact | None: ...

    @abc.abstractmethod
    async def change_time(self, personal_id: str) -> datetime | None: ...

    @abc.abstractmethod
    async def put(self, personal_id: str, contact: Contact, change_time: datetime, now: datetime) -> None: ...

    @abc.abstractmethod
    async def remove(self, personal_id: str) -> None: ...


class Inbox(abc.ABC):
    """Events this service consumed (so a redelivery changes nothing)."""

    @abc.abstractmethod
    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        """Record ``event_id`` as handled by ``consumer`` now; False if it already was."""


class NotifyUnitOfWork(UnitOfWork):
    """One transaction of notify: its repositories and its outbox (``publish``)."""

    source = "notify"
    notifications: NotificationRepository
    deliveries: DeliveryQueue
    templates: TemplateRepository
    batches: BatchRepository
    callbacks: CallbackRepository
    usage: UsageRepository
    contacts: ContactRepository
    inbox: Inbox


UnitsOfWork = Callable[[], NotifyUnitOfWork]


@dataclass(frozen=True)
class Caller:
    """Who calls: the agency of the verified machine token, and whether it holds a test credential."""

    agency_id: str
    test: bool = False


class CallbackUrls(Protocol):
    """The SSRF guard of callback URLs (adapters/callback_guard.py)."""

    async def problem(self, url: str) -> str | None:
        """Why ``url`` cannot receive callbacks (a rule, or a non-public address it resolves to), or None."""
        ...


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    """The collaborators of notify's handlers that are not storage, built by the composition root."""

    limiter: RateLimiter
    retry: RetryPolicy
    #: Daily cap of sends per agency and channel value ("email", "sms").
    daily_caps: dict[str, int]
    callback_urls: CallbackUrls
    sms_receipt_timeout_s: float = 72 * 3600.0
    clock: Callable[[], datetime] = utcnow
    #: Tells in-process delivery workers there is new work (they also poll).
    wake: Callable[[], None] = lambda: None

    def daily_cap(self, channel: Channel) -> int:
        return self.daily_caps[channel.value]
