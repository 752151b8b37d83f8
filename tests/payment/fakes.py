"""The in-memory unit of work of the payment service, for handler tests without PostgreSQL, a server or gRPC
(providers and clock: ``fake_provider.py``). The repositories implement the same abstract interfaces
(``handlers/ports.py``) as the SQL ones, including the unique keys the database enforces (idempotency keys, the
ledger's ``source_key``)."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from lienthong_payment.domain.ledger import AgencyFigures, LedgerTransaction
from lienthong_payment.domain.notifications import Disposition, ProviderNotification
from lienthong_payment.domain.payment import UNFINISHED_STATES, Payment, PaymentState, Transition
from lienthong_payment.domain.reconciliation import PostedTransaction
from lienthong_payment.domain.refund import Refund, RefundState
from lienthong_payment.handlers.ports import (
    After,
    KeyConflict,
    LedgerRepository,
    PaymentRepository,
    PaymentUnitOfWork,
    RefundRepository,
)
from lienthong_runtime.testing import InMemoryUnitOfWork


def _after(item_time: datetime, item_id: str, after: After) -> bool:
    return after is None or (item_time, item_id) < after


@dataclass
class NotificationRow:
    payment_id: str
    disposition: Disposition
    amount_vnd: int
    received_at: datetime


class FakePaymentRepository(PaymentRepository):
    def __init__(self, uow: FakePaymentUnitOfWork) -> None:
        self.rows, self.moves, self.notes = uow.payment_rows, uow.transition_rows, uow.notification_rows

    async def add_if_new(self, payment: Payment) -> bool:
        if any(
            p.agency_id == payment.agency_id and p.idempotency_key == payment.idempotency_key
            for p in self.rows.values()
        ):
            return False
        self.rows[payment.id] = copy.deepcopy(payment)
        return True

    async def get(
        self, payment_id: str, *, agency_id: str | None = None, lock: bool = False
    ) -> Payment | None:
        found = self.rows.get(payment_id)
        if found is None or (agency_id is not None and found.agency_id != agency_id):
            return None
        return copy.deepcopy(found)

    async def get_by_key(self, agency_id: str, key: str) -> Payment | None:
        for p in self.rows.values():
            if p.agency_id == agency_id and p.idempotency_key == key:
                return copy.deepcopy(p)
        return None

    async def save(self, payment: Payment) -> None:
        self.moves.setdefault(payment.id, []).extend(payment.pending_transitions)
        payment.pending_transitions.clear()
        self.rows[payment.id] = copy.deepcopy(payment)

    async def transitions(self, payment_id: str) -> list[Transition]:
        return list(self.moves.get(payment_id, []))

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
        found = [
            p
            for p in self.rows.values()
            if p.agency_id == agency_id
            and (not states or p.state in states)
            and (start is None or p.create_time >= start)
            and (end is None or p.create_time < end)
            and (not reference or p.reference == reference)
            and _after(p.create_time, p.id, after)
        ]
        found.sort(key=lambda p: (p.create_time, p.id), reverse=True)
        return [copy.deepcopy(p) for p in found[:limit]]

    async def due_for_expiry(self, now: datetime, limit: int) -> list[str]:
        due = [p for p in self.rows.values() if p.state in UNFINISHED_STATES and p.expire_time <= now]
        return [p.id for p in sorted(due, key=lambda p: p.expire_time)[:limit]]

    async def started_before(self, before: datetime, limit: int) -> list[str]:
        waiting = (PaymentState.STARTED, PaymentState.SUBMITTED)
        found = [
            p for p in self.rows.values() if p.state in waiting and p.update_time and p.update_time <= before
        ]
        return [p.id for p in sorted(found, key=lambda p: p.update_time or p.create_time)[:limit]]

    async def record_notification(
        self, note: ProviderNotification, disposition: Disposition, now: datetime
    ) -> None:
        self.notes.append(NotificationRow(note.payment_id, disposition, note.amount_vnd, now))

    async def late_successes(self, agency_id: str, start: datetime, end: datetime) -> list[tuple[str, int]]:
        return [
            (n.payment_id, n.amount_vnd)
            for n in self.notes
            if n.disposition is Disposition.LATE_SUCCESS
            and start <= n.received_at < end
            and n.payment_id in self.rows
            and self.rows[n.payment_id].agency_id == agency_id
        ]


class FakeRefundRepository(RefundRepository):
    def __init__(self, uow: FakePaymentUnitOfWork) -> None:
        self.rows = uow.refund_rows

    async def add(self, refund: Refund) -> None:
        if any(
            r.agency_id == refund.agency_id and r.idempotency_key == refund.idempotency_key
            for r in self.rows.values()
        ):
            raise KeyConflict("duplicate key value violates unique constraint uq_refunds_agency_key")
        self.rows[refund.id] = copy.deepcopy(refund)

    async def get(self, refund_id: str, agency_id: str) -> Refund | None:
        found = self.rows.get(refund_id)
        return copy.deepcopy(found) if found is not None and found.agency_id == agency_id else None

    async def get_by_key(self, agency_id: str, key: str) -> Refund | None:
        for r in self.rows.values():
            if r.agency_id == agency_id and r.idempotency_key == key:
                return copy.deepcopy(r)
        return None

    async def save(self, refund: Refund) -> None:
        self.rows[refund.id] = copy.deepcopy(refund)

    async def list_for(
        self, agency_id: str, *, payment_id: str = "", after: After = None, limit: int = 50
    ) -> list[Refund]:
        found = [
            r
            for r in self.rows.values()
            if r.agency_id == agency_id
            and (not payment_id or r.payment_id == payment_id)
            and _after(r.create_time, r.id, after)
        ]
        found.sort(key=lambda r: (r.create_time, r.id), reverse=True)
        return [copy.deepcopy(r) for r in found[:limit]]

    async def of_day(self, agency_id: str, start: datetime, end: datetime) -> list[Refund]:
        found = [
            r
            for r in self.rows.values()
            if r.agency_id == agency_id
            and (start <= r.create_time < end or (r.finish_time is not None and start <= r.finish_time < end))
        ]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: r.create_time)]

    async def submitted_before(self, cutoff: datetime, *, limit: int) -> list[Refund]:
        found = [r for r in self.rows.values() if r.state is RefundState.SUBMITTED and r.create_time < cutoff]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: r.create_time)[:limit]]


class FakeLedgerRepository(LedgerRepository):
    def __init__(self, uow: FakePaymentUnitOfWork) -> None:
        self.rows, self.payments, self.refunds = uow.ledger_rows, uow.payment_rows, uow.refund_rows

    async def post(self, txn: LedgerTransaction) -> None:
        if txn.balance != 0:
            raise ValueError(f"ledger transaction {txn.id} does not balance")
        if any(t.source_key == txn.source_key for t in self.rows.values()):
            raise KeyConflict(f"duplicate key value: source_key {txn.source_key}")
        self.rows[txn.id] = txn

    async def unbalanced_transactions(self) -> list[tuple[str, str, int]]:
        return [(t.agency_id, t.id, t.balance) for t in self.rows.values() if t.balance]

    async def transaction_count(self) -> int:
        return len(self.rows)

    async def agency_figures(self) -> dict[str, AgencyFigures]:
        figures: dict[str, AgencyFigures] = defaultdict(AgencyFigures)
        for t in self.rows.values():
            for account, amount in t.lines:
                balances = figures[t.agency_id].balances
                balances[account] = balances.get(account, 0) + amount
        for p in self.payments.values():
            if p.state is PaymentState.SUCCESS:
                figures[p.agency_id].successful_payments_vnd += p.amount_vnd
        for r in self.refunds.values():
            if r.state is RefundState.SUCCESS:
                figures[r.agency_id].successful_refunds_vnd += r.amount_vnd
        return dict(figures)

    async def balances_at(self, agency_id: str, end: datetime) -> dict[str, int]:
        balances: dict[str, int] = {}
        for t in self.rows.values():
            if t.agency_id == agency_id and t.time < end:
                for account, amount in t.lines:
                    balances[account] = balances.get(account, 0) + amount
        return dict(sorted(balances.items()))

    async def payments_of_day(self, agency_id: str, start: datetime, end: datetime) -> list[Payment]:
        posted = {
            t.payment_id for t in self.rows.values() if t.agency_id == agency_id and start <= t.time < end
        }
        found = [
            p
            for p in self.payments.values()
            if p.agency_id == agency_id
            and (
                (p.finish_time is not None and start <= p.finish_time < end)
                or (p.finish_time is None and start <= p.create_time < end)
                or p.id in posted
            )
        ]
        return [replace(p, payer_email="") for p in sorted(found, key=lambda p: p.create_time)]

    async def posted_for(self, payment_ids: Sequence[str]) -> list[PostedTransaction]:
        return [
            PostedTransaction(
                t.id, t.kind, t.payment_id, t.refund_id, sum(a for _, a in t.lines if a > 0), t.balance
            )
            for t in self.rows.values()
            if t.payment_id in payment_ids
        ]


class FakePaymentUnitOfWork(InMemoryUnitOfWork, PaymentUnitOfWork):
    """One in-memory "database": transactions work on the containers below and a rollback restores them."""

    state = ("payment_rows", "transition_rows", "notification_rows", "refund_rows", "ledger_rows")

    def __init__(self) -> None:
        super().__init__()
        self.payment_rows: dict[str, Payment] = {}
        self.transition_rows: dict[str, list[Transition]] = {}
        self.notification_rows: list[NotificationRow] = []
        self.refund_rows: dict[str, Refund] = {}
        self.ledger_rows: dict[str, LedgerTransaction] = {}
        self.payments = FakePaymentRepository(self)
        self.refunds = FakeRefundRepository(self)
        self.ledger = FakeLedgerRepository(self)

    def events(self, type_suffix: str = "") -> list[object]:
        """The committed events' payloads (optionally of one type, e.g. ``PaymentSucceeded``)."""
        return [e for e in self.outbox if e.type.endswith(type_suffix)]
