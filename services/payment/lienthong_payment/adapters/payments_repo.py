"""Payments and their transitions in SQL. Functions take the conn of the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from lienthong_runtime.crypto import Keyring

from .. import metrics
from ..domain.notifications import Disposition, ProviderNotification
from ..domain.payment import UNFINISHED_STATES, Payment, PaymentState, Transition
from . import pg
from .rows import aware, payment_from_row, payment_values
from .tables import payment_transitions, payments, provider_notifications

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

# Hot-path statements are built once and executed with parameters: building them per call costs more
# Python time than the database round trip.
_INSERT = {
    dialect: maker(payments)
    .on_conflict_do_nothing(index_elements=["agency_id", "idempotency_key"])
    .returning(payments.c.id)
    for dialect, maker in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_UPDATE = update(payments).where(payments.c.id == bindparam("_id")).values({n: bindparam(n) for n in MUTABLE})
_BY_ID = select(payments).where(payments.c.id == bindparam("_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_BY_ID_OF_AGENCY = _BY_ID.where(payments.c.agency_id == bindparam("_agency"))
_BY_ID_OF_AGENCY_LOCKED = _BY_ID_OF_AGENCY.with_for_update()
_ADD_TRANSITION = insert(payment_transitions)
_ADD_NOTIFICATION = insert(provider_notifications)


async def insert_if_new(conn: AsyncConnection, keyring: Keyring, payment: Payment) -> bool:
    """Insert unless the agency already used the idempotency key; race-safe through the unique constraint
    (a concurrent insert of the same key waits for the first to commit, then does nothing)."""
    values = payment_values(payment, keyring)
    if pg.native(conn):
        inserted = await pg.insert_payment(conn, values)
    else:
        inserted = (await conn.execute(_INSERT[conn.dialect.name], values)).first() is not None
    if inserted:
        metrics.TRANSITIONS.labels(payment.state.name).inc()
    return inserted


async def get(
    conn: AsyncConnection,
    keyring: Keyring,
    payment_id: str,
    *,
    agency_id: str | None = None,
    lock: bool = False,
) -> Payment | None:
    """One payment; with ``agency_id`` only if it belongs to that agency. ``lock`` holds the row (FOR UPDATE
    on PostgreSQL; SQLite transactions are already serialised by BEGIN IMMEDIATE)."""
    if pg.native(conn):
        record = await pg.payment_row(conn, payment_id, agency_id, lock)
        return payment_from_row(record, keyring) if record else None
    if agency_id is None:
        query, params = (_BY_ID_LOCKED if lock else _BY_ID), {"_id": payment_id}
    else:
        query = _BY_ID_OF_AGENCY_LOCKED if lock else _BY_ID_OF_AGENCY
        params = {"_id": payment_id, "_agency": agency_id}
    row = (await conn.execute(query, params)).mappings().first()
    return payment_from_row(row, keyring) if row else None


async def get_by_key(conn: AsyncConnection, keyring: Keyring, agency_id: str, key: str) -> Payment | None:
    if pg.native(conn):
        record = await pg.payment_row_by_key(conn, agency_id, key)
        return payment_from_row(record, keyring) if record else None
    query = select(payments).where(payments.c.agency_id == agency_id, payments.c.idempotency_key == key)
    row = (await conn.execute(query)).mappings().first()
    return payment_from_row(row, keyring) if row else None


async def save(conn: AsyncConnection, payment: Payment) -> None:
    """Write the payment's mutable fields and the transitions it recorded since it was loaded."""
    values = payment_values(payment)
    added = [
        {
            "payment_id": payment.id,
            "from_state": int(t.from_state),
            "to_state": int(t.to_state),
            "time": t.time,
            "cause": t.cause,
            "detail": t.detail,
        }
        for t in payment.pending_transitions
    ]
    if pg.native(conn):
        await pg.save_payment(conn, payment.id, values, added)
    else:
        await conn.execute(_UPDATE, {"_id": payment.id, **{name: values[name] for name in MUTABLE}})
        if added:
            await conn.execute(_ADD_TRANSITION, added)
    for t in payment.pending_transitions:
        metrics.TRANSITIONS.labels(t.to_state.name).inc()
    payment.pending_transitions.clear()


async def transitions(conn: AsyncConnection, payment_id: str) -> list[Transition]:
    query = (
        select(payment_transitions)
        .where(payment_transitions.c.payment_id == payment_id)
        .order_by(payment_transitions.c.id)
    )
    return [
        Transition(
            PaymentState(r.from_state), PaymentState(r.to_state), aware(r.time) or r.time, r.cause, r.detail
        )
        for r in (await conn.execute(query)).all()
    ]


async def search(
    conn: AsyncConnection,
    keyring: Keyring,
    agency_id: str,
    *,
    states: Sequence[PaymentState] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    reference: str = "",
    after: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[Payment]:
    """The agency's payments, newest first, strictly after the keyset cursor ``after``."""
    query = select(payments).where(payments.c.agency_id == agency_id)
    if states:
        query = query.where(payments.c.state.in_([int(s) for s in states]))
    if start is not None:
        query = query.where(payments.c.create_time >= start)
    if end is not None:
        query = query.where(payments.c.create_time < end)
    if reference:
        query = query.where(payments.c.reference == reference)
    if after is not None:
        time, last_id = after
        query = query.where(
            or_(payments.c.create_time < time, and_(payments.c.create_time == time, payments.c.id < last_id))
        )
    query = query.order_by(payments.c.create_time.desc(), payments.c.id.desc()).limit(limit)
    return [payment_from_row(r, keyring) for r in (await conn.execute(query)).mappings().all()]


async def due_for_expiry(conn: AsyncConnection, now: datetime, limit: int) -> list[str]:
    query = (
        select(payments.c.id)
        .where(payments.c.state.in_([int(s) for s in UNFINISHED_STATES]), payments.c.expire_time <= now)
        .order_by(payments.c.expire_time)
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars().all())


async def started_before(conn: AsyncConnection, before: datetime, limit: int) -> list[str]:
    """Payments handed to their provider (STARTED or SUBMITTED) whose last change is older than ``before``."""
    query = (
        select(payments.c.id)
        .where(
            payments.c.state.in_([int(PaymentState.STARTED), int(PaymentState.SUBMITTED)]),
            payments.c.update_time <= before,
        )
        .order_by(payments.c.update_time)
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars().all())


async def record_notification(
    conn: AsyncConnection, note: ProviderNotification, disposition: Disposition, now: datetime
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
    if pg.native(conn):
        await pg.add_notification(conn, values)
    else:
        await conn.execute(_ADD_NOTIFICATION, values)


async def late_successes(
    conn: AsyncConnection, agency_id: str, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """Verified successes that arrived after the agency's payment had ended (for reconciliation)."""
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
    return [(r.payment_id, r.amount_vnd) for r in (await conn.execute(query)).all()]
