"""Notifications, delivery outcomes and the retry schedule."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .channels import Channel, Status
from .sms import SmsSegments

#: Priority of one-off sends; batches use BULK so that they never delay one-off messages.
ONE_OFF, BULK = 0, 1


@dataclass(frozen=True)
class Notification:
    """One message to one recipient, as stored."""

    id: str
    agency_id: str
    channel: Channel
    template_id: str
    template_version: int
    recipient: str
    reference: str
    status: Status
    subject: str
    body: str
    sms: SmsSegments | None
    batch_id: str
    test: bool
    simulated_outcome: str
    attempt_count: int
    failure_reason: str
    create_time: datetime
    send_time: datetime | None
    complete_time: datetime | None


@dataclass(frozen=True)
class NewNotification:
    """A notification to store and queue in one transaction."""

    notification: Notification
    idempotency_key: str | None
    fingerprint: str
    priority: int
    give_up_at: datetime


@dataclass(frozen=True)
class NotificationFilter:
    """What ListNotifications narrows to (empty = any)."""

    statuses: frozenset[Status] = frozenset()
    channel: Channel | None = None
    reference: str = ""
    batch_id: str = ""

    def matches(self, n: Notification) -> bool:
        return (
            (not self.statuses or n.status in self.statuses)
            and (self.channel is None or n.channel is self.channel)
            and (not self.reference or n.reference == self.reference)
            and (not self.batch_id or n.batch_id == self.batch_id)
        )


@dataclass(frozen=True)
class Claimed:
    """A claimed entry of the delivery queue with its notification."""

    notification: Notification
    attempts: int
    give_up_at: datetime
    recipient_unavailable: bool


def request_fingerprint(*parts: object, personalisation: Mapping[str, str] = {}) -> str:
    """A digest of a send's parameters, to tell a retry from a reuse of the idempotency key."""
    data = json.dumps([*map(str, parts), sorted(personalisation.items())], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt achieved.

    ``status`` None means "try again later" (``retry_reason`` says why); SENDING means handed to a provider
    that will send a receipt.
    """

    status: Status | None
    reason: str = ""
    provider: str = ""
    provider_reference: str = ""
    #: For retries: whether the recipient (not the platform) was unavailable; decides the give-up status.
    recipient_unavailable: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, until a give-up time after acceptance."""

    base_s: float = 1.0
    max_s: float = 300.0
    give_up_s: float = 24 * 3600.0

    def delay(self, attempts: int) -> float:
        ceiling = min(self.max_s, self.base_s * (2 ** min(attempts, 30)))
        return random.uniform(ceiling / 2, ceiling)

    def give_up_time(self, accepted: datetime) -> datetime:
        return accepted + timedelta(seconds=self.give_up_s)

    def after_failure(self, outcome: Outcome) -> Status:
        """The final status once the give-up time has passed."""
        return Status.TEMPORARY_FAILURE if outcome.recipient_unavailable else Status.TECHNICAL_FAILURE


SIMULATED = {
    "DELIVERED": Status.DELIVERED,
    "TEMPORARY_FAILURE": Status.TEMPORARY_FAILURE,
    "PERMANENT_FAILURE": Status.PERMANENT_FAILURE,
    "TECHNICAL_FAILURE": Status.TECHNICAL_FAILURE,
}


def simulated_outcome(name: str) -> Outcome:
    """The outcome a test credential asked for (DELIVERED when unspecified)."""
    status = SIMULATED.get(name or "DELIVERED", Status.DELIVERED)
    reason = "" if status is Status.DELIVERED else f"SIMULATED_{status.value}"
    return Outcome(status, reason=reason, provider="simulated")


def message_id(notification_id: str, domain: str) -> str:
    """The RFC 5322 Message-ID of a notification: stable across retries so receivers can drop duplicates."""
    return f"<{notification_id}@{domain}>"
