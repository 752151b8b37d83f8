"""Payments, their transitions and the provider notifications in SQL, on either executor of ``statements.py``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lienthong_runtime.crypto import Keyring

from .. import metrics
from ..domain.notifications import Disposition, ProviderNotification
from ..domain.payment import UNFINISHED_STATES, Payment, PaymentState, Transition
from ..handlers.ports import After, PaymentRepository
from .rows import aware, payment_from_row, payment_values
from .statements import prepare, rows_insert
from .tables import payment_transitions, payments, provider_notifications

#: The columns a payment's life changes (the rest are written once, by the insert).
MUTABLE = (
    "state",
    "provider_reference",
    "failure_reason",
    "refunded_amount_vnd",
    "refund_pending_vnd",
    "redirect_url",
    "redirect_expire_time",
    "sandbox_scenario",
    "update_time",
    "finish_time",
)
_ALL: dict[str, Any] = {c.name: bindparam(c.name) for c in payments.c}
# Hot-path statements, built and compiled once: building them per call costs more than the round trip.
INSERT = {
    dialect: prepare(
        maker(payments)
        .values(_ALL)
        .on_conflict_do_nothing(index_elements=["agency_id", "idempotency_key"])
        .returning(payments.c.id),
        asyncpg=dialect == "postgresql",
    )
    for dialect, maker in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
UPDATE = prepare(
    update(payments).where(payments.c.id == bindparam("_id")).values({n: bindparam(n) for n in MUTABLE})
)
_by_id = select(payments).where(payments.c.id == bindparam("_id"))
_of_agency = _by_id.where(payments.c.agency_id == bindparam("_agency"))
BY_ID = {False: prepare(_by_id), True: prepare(_by_id.with_for_update())}
BY_ID_OF_AGENCY = {False: prepare(_of_agency), True: prepare(_of_agency.with_for_update())}
BY_KEY = prepare(
    select(payments).where(
        payments.c.agency_id == bindparam("_agency"), payments.c.idempotency_key == bindparam("_key")
    )
)
ADD_TRANSITIONS = rows_insert(
    payment_transitions,
    [c.name for c in payment_transitions.c if not c.primary_key and c.name != "payment_id"],
    shared=["payment_id"],
)
ADD_NOTIFICATION = prepare(
    insert(provider_notifications).values(
        {c.name: bindparam(c.name) for c in provider_notifications.c if not c.primary_key}
    )
)


class SqlPaymentRepository(PaymentRepository):
    """``sql`` is a ``CoreStatements`` or ``PgStatements`` of the unit of work's connection."""

    def __init__(self, sql: Any, keyring: Keyring | None) -> None:
        self.sql, self.keyring = sql, keyring

    async def add_if_new(self, payment: Payment) -> bool:
        values = payment_values(payment, self.keyring)
        inserted = await self.sql.row(INSERT[self.sql.dialect], values) is not None
        if inserted:
            metrics.TRANSITIONS.labels(payment.state.name).inc()
        return inserted

    async def get(
        self, payment_id: str, *, agency_id: str | None = None, lock: bool = False
    ) -> Payment | None:
        if agency_id is None:
            row = await self.sql.row(BY_ID[lock], {"_id": payment_id})
        else:
            row = await self.sql.row(BY_ID_OF_AGENCY[lock], {"_id": payment_id, "_agency": agency_id})
        return payment_from_row(row, self.keyring) if row else None

    async def get_by_key(self, agency_id: str, key: str) -> Payment | None:
        row = await self.sql.row(BY_KEY, {"_agency": agency_id, "_key": key})
        return payment_from_row(row, self.keyring) if row else None

    async def save(self, payment: Payment) -> None:
        values = payment_values(payment)
        await self.sql.write(UPDATE, {"_id": payment.id, **{name: values[name] for name in MUTABLE}})
        await self.sql.write_rows(
            ADD_TRANSITIONS,
            [
                {
                    "payment_id": payment.id,
                    "from_state": int(t.from_state),
                    "to_state": int(t.to_state),
                    "time": t.time,
                    "cause": t.cause,
                    "detail": t.detail,
                }
                for t in payment.pending_transitions
            ],
        )
        for t in payment.pending_transitions:
            metrics.TRANSITIONS.labels(t.to_state.name).inc()
        payment.pending_transitions.clear()

    async def transitions(self, payment_id: str) -> list[Transition]:
        t = payment_transitions
        query = select(t).where(t.c.payment_id == payment_id).order_by(t.c.id)
        return [
            Transition(
                PaymentState(r["from_state"]),
                PaymentState(r["to_state"]),
                aware(r["time"]) or r["time"],
                r["cause"],
                r["detail"],
            )
            for r in await self.sql.rows(query)
        ]

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
        p = payments.c
        query = select(payments).where(p.agency_id == agency_id)
        if states:
            query = query.where(p.state.in_([int(s) for s in states]))
        if start is not None:
            query = query.where(p.create_time >= start)
        if end is not None:
            query = query.where(p.create_time < end)
        if reference:
            query = query.where(p.reference == reference)
        if after is not None:
            time, last_id = after
            query = query.where(or_(p.create_time < time, and_(p.create_time == time, p.id < last_id)))
        query = query.order_by(p.create_time.desc(), p.id.desc()).limit(limit)
        return [payment_from_row(r, self.keyring) for r in await self.sql.rows(query)]

    async def due_for_expiry(self, now: datetime, limit: int) -> list[str]:
        query = (
            select(payments.c.id)
            .where(payments.c.state.in_([int(s) for s in UNFINISHED_STATES]), payments.c.expire_time <= now)
            .order_by(payments.c.expire_time)
            .limit(limit)
        )
        return [r[0] for r in await self.sql.tuples(query)]

    async def started_before(self, before: datetime, limit: int) -> list[str]:
        query = (
            select(payments.c.id)
            .where(
                payments.c.state.in_([int(PaymentState.STARTED), int(PaymentState.SUBMITTED)]),
                payments.c.update_time <= before,
            )
            .order_by(payments.c.update_time)
            .limit(limit)
        )
        return [r[0] for r in await self.sql.tuples(query)]

    async def record_notification(
        self, note: ProviderNotification, disposition: Disposition, now: datetime
    ) -> None:
        values = {
            "provider": note.provider,
            "payment_id": note.payment_id[:64],
            "dedupe_key": note.dedupe_key[:200],
            "succeeded": note.succeeded,
            "amount_vnd": note.amount_vnd,
            "disposition": disposition.value,
            "received_at": now,
        }
        await self.sql.write(ADD_NOTIFICATION, values)

    async def late_successes(self, agency_id: str, start: datetime, end: datetime) -> list[tuple[str, int]]:
        n = provider_notifications
        query = (
            select(n.c.payment_id, n.c.amount_vnd)
            .join(payments, payments.c.id == n.c.payment_id)
            .where(
                payments.c.agency_id == agency_id,
                n.c.disposition == Disposition.LATE_SUCCESS.value,
                n.c.received_at >= start,
                n.c.received_at < end,
            )
        )
        return [(r[0], r[1]) for r in await self.sql.tuples(query)]
