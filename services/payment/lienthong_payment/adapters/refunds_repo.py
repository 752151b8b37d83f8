"""Refunds in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.refund import Refund, RefundState
from .rows import refund_from_row, refund_values
from .tables import refunds


async def add(conn: AsyncConnection, refund: Refund) -> None:
    await conn.execute(insert(refunds).values(**refund_values(refund)))


async def get(conn: AsyncConnection, refund_id: str, agency_id: str) -> Refund | None:
    query = select(refunds).where(refunds.c.id == refund_id, refunds.c.agency_id == agency_id)
    row = (await conn.execute(query)).mappings().first()
    return refund_from_row(row) if row else None


async def get_by_key(conn: AsyncConnection, agency_id: str, key: str) -> Refund | None:
    query = select(refunds).where(refunds.c.agency_id == agency_id, refunds.c.idempotency_key == key)
    row = (await conn.execute(query)).mappings().first()
    return refund_from_row(row) if row else None


async def save(conn: AsyncConnection, refund: Refund) -> None:
    await conn.execute(
        update(refunds)
        .where(refunds.c.id == refund.id)
        .values(
            state=int(refund.state),
            failure_reason=refund.failure_reason,
            update_time=refund.update_time,
            finish_time=refund.finish_time,
        )
    )


async def list_for(
    conn: AsyncConnection,
    agency_id: str,
    *,
    payment_id: str = "",
    after: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[Refund]:
    """The agency's refunds (optionally of one payment), newest first, after the keyset cursor."""
    query = select(refunds).where(refunds.c.agency_id == agency_id)
    if payment_id:
        query = query.where(refunds.c.payment_id == payment_id)
    if after is not None:
        time, last_id = after
        query = query.where(
            or_(refunds.c.create_time < time, and_(refunds.c.create_time == time, refunds.c.id < last_id))
        )
    query = query.order_by(refunds.c.create_time.desc(), refunds.c.id.desc()).limit(limit)
    return [refund_from_row(r) for r in (await conn.execute(query)).mappings().all()]


async def of_day(conn: AsyncConnection, agency_id: str, start: datetime, end: datetime) -> list[Refund]:
    """Refunds created or finished during [start, end)."""
    query = (
        select(refunds)
        .where(
            refunds.c.agency_id == agency_id,
            or_(
                and_(refunds.c.create_time >= start, refunds.c.create_time < end),
                and_(refunds.c.finish_time >= start, refunds.c.finish_time < end),
            ),
        )
        .order_by(refunds.c.create_time)
    )
    return [refund_from_row(r) for r in (await conn.execute(query)).mappings().all()]


async def submitted_before(conn: AsyncConnection, cutoff: datetime, *, limit: int) -> list[Refund]:
    """Refunds still SUBMITTED that were created before ``cutoff`` (all agencies: a maintenance query)."""
    query = (
        select(refunds)
        .where(refunds.c.state == int(RefundState.SUBMITTED), refunds.c.create_time < cutoff)
        .order_by(refunds.c.create_time)
        .limit(limit)
    )
    return [refund_from_row(r) for r in (await conn.execute(query)).mappings().all()]
