"""What the payment handlers need from the world: the abstract unit of work with its repositories, and the
collaborators that are not storage (providers, policy, clock, relay wake-up) in one frozen :class:`Services`.

Two units of work implement :class:`PaymentUnitOfWork`: ``adapters/uow.py`` (SQLAlchemy; SQLite, the embedded
mode) and ``adapters/pg_uow.py`` (bare asyncpg; PostgreSQL, the hot path); the tests' in-memory fake is a third.
The composition root (``bootstrap.py``) picks one and builds everything here; no handler builds an adapter.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lienthong_runtime.errors import FailedPrecondition
from lienthong_runtime.uow import UnitOfWork

from ..domain.ledger import AgencyFigures, LedgerTransaction
from ..domain.notifications import Disposition, ProviderNotification
from ..domain.payment import Payment, PaymentState, Transition
from ..domain.providers import PaymentProvider
from ..domain.reconciliation import PostedTransaction
from ..domain.refund import Refund

#: A keyset cursor: (create_time, id) of the last item served.
After = tuple[datetime, str] | None


class KeyConflict(Exception):
    """A write hit a unique key (an idempotency key or ledger source key taken by a concurrent transaction)."""


class PaymentRepository(abc.ABC):
    @abc.abstractmethod
    async def add_if_new(self, payment: Payment) -> bool:
        """Insert unless the agency already used the idempotency key (race-safe: one atomic statement)."""

    @abc.abstractmethod
    async def get(
        self, payment_id: str, *, agency_id: str | None = None, lock: bool = False
    ) -> Payment | None:
        """One payment; with ``agency_id`` only if it is that agency's; ``lock`` holds it to the commit."""

    @abc.abstractmethod
    async def get_by_key(self, agency_id: str, key: str) -> Payment | None: ...

    @abc.abstractmethod
    async def save(self, payment: Payment) -> None:
        """Write the mutable fields and the transitions recorded since the payment was loaded."""

    @abc.abstractmethod
    async def transitions(self, payment_id: str) -> list[Transition]: ...

    @abc.abstractmethod
    async def search(
        self,
        agency_id: str,
        *,
        states: Sequence[PaymentState] = (),
        start: datetime | None = None,
        end: datetime | None = None,
        reference: str = "",
        after: After = None,
        limit: int = 50,
    ) -> list[Payment]:
        """The agency's payments, newest first (create_time, id), strictly after the cursor."""

    @abc.abstractmethod
    async def due_for_expiry(self, now: datetime, limit: int) -> list[str]: ...

    @abc.abstractmethod
    async def started_before(self, before: datetime, limit: int) -> list[str]:
        """STARTED or SUBMITTED payments whose last change is at or before ``before``, oldest first."""

    @abc.abstractmethod
    async def record_notification(
        self, note: ProviderNotification, disposition: Disposition, now: datetime
    ) -> None: ...

    @abc.abstractmethod
    async def late_successes(self, agency_id: str, start: datetime, end: datetime) -> list[tuple[str, int]]:
        """(payment id, amount) of verified successes received in [start, end) after the payment had ended."""


class RefundRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, refund: Refund) -> None: ...

    @abc.abstractmethod
    async def get(self, refund_id: str, agency_id: str) -> Refund | None: ...

    @abc.abstractmethod
    async def get_by_key(self, agency_id: str, key: str) -> Refund | None: ...

    @abc.abstractmethod
    async def save(self, refund: Refund) -> None: ...

    @abc.abstractmethod
    async def list_for(
        self, agency_id: str, *, payment_id: str = "", after: After = None, limit: int = 50
    ) -> list[Refund]: ...

    @abc.abstractmethod
    async def of_day(self, agency_id: str, start: datetime, end: datetime) -> list[Refund]:
        """Refunds created or finished during [start, end)."""

    @abc.abstractmethod
    async def submitted_before(self, cutoff: datetime, *, limit: int) -> list[Refund]:
        """Refunds still SUBMITTED created before ``cutoff`` (every agency: a maintenance query)."""


class LedgerRepository(abc.ABC):
    @abc.abstractmethod
    async def post(self, txn: LedgerTransaction) -> None:
        """Write a balanced transaction; a second posting of the same fact (``source_key``) is refused."""

    @abc.abstractmethod
    async def unbalanced_transactions(self) -> list[tuple[str, str, int]]: ...

    @abc.abstractmethod
    async def transaction_count(self) -> int: ...

    @abc.abstractmethod
    async def agency_figures(self) -> dict[str, AgencyFigures]: ...

    @abc.abstractmethod
    async def balances_at(self, agency_id: str, end: datetime) -> dict[str, int]: ...

    @abc.abstractmethod
    async def payments_of_day(self, agency_id: str, start: datetime, end: datetime) -> list[Payment]:
        """Finished during the day, unfinished and created during it, or posted to during it (no e-mail)."""

    @abc.abstractmethod
    async def posted_for(self, payment_ids: Sequence[str]) -> list[PostedTransaction]: ...


class Mode(enum.Enum):
    TRANSACTION = "transaction"
    #: Each statement commits on its own: for one statement that is atomic by itself, or independent reads.
    AUTOCOMMIT = "autocommit"
    #: A read-only transaction on one consistent snapshot (reports).
    SNAPSHOT = "snapshot"


class PaymentUnitOfWork(UnitOfWork):
    """``async with uow:`` one transaction over the repositories below; ``uow.publish(...)`` stages an event in
    the outbox of that transaction. One instance serves one caller (sequential transactions are fine)."""

    source = "payment"
    payments: PaymentRepository
    refunds: RefundRepository
    ledger: LedgerRepository

    def __init__(self) -> None:
        super().__init__()
        self.mode = Mode.TRANSACTION

    @asynccontextmanager
    async def _in(self, mode: Mode) -> AsyncIterator[PaymentUnitOfWork]:
        self.mode = mode
        try:
            async with self:
                yield self
        finally:
            self.mode = Mode.TRANSACTION

    def autocommit(self) -> AbstractAsyncContextManager[PaymentUnitOfWork]:
        """Statements that commit one by one (no BEGIN/COMMIT round trips); no events may be staged."""
        return self._in(Mode.AUTOCOMMIT)

    def snapshot(self) -> AbstractAsyncContextManager[PaymentUnitOfWork]:
        """Reads on one consistent snapshot (REPEATABLE READ, read-only, on PostgreSQL)."""
        return self._in(Mode.SNAPSHOT)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Policy:
    max_amount_vnd: int = 1_000_000_000
    lifetime: timedelta = timedelta(minutes=90)
    default_provider: str = "sandbox"
    allow_http_localhost: bool = False


@dataclass(frozen=True)
class Services:
    """The handlers' collaborators that are not storage, built by the composition root."""

    providers: Mapping[str, PaymentProvider] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], datetime] = utcnow
    #: Tells the outbox relay that events were committed (publish now rather than at the next poll).
    wake: Callable[[], None] = lambda: None

    def provider(self, name: str) -> PaymentProvider:
        """The adapter of a configured provider (a payment may outlive its provider's configuration)."""
        found = self.providers.get(name)
        if found is None:
            raise FailedPrecondition(
                f"the {name} provider is not configured", reason="PROVIDER_NOT_AVAILABLE"
            )
        return found

    def woken_by(self, uow: UnitOfWork) -> None:
        """Wake the relay when the last transaction of ``uow`` committed events."""
        if uow.committed:
            self.wake()
