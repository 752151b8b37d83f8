"""Refunds in SQL, on either executor of ``statements.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update

from ..domain.refund import Refund, RefundState
from ..handlers.ports import After, RefundRepository
from .rows import refund_from_row, refund_values
from .statements import prepare
from .tables import refunds

_MUTABLE = ("state", "failure_reason", "update_time", "finish_time")
ADD = prepare(insert(refunds).values({c.name: bindparam(c.name) for c in refunds.c}))
UPDATE = prepare(
    update(refunds).where(refunds.c.id == bindparam("_id")).values({n: bindparam(n) for n in _MUTABLE})
)
BY_ID = prepare(
    select(refunds).where(refunds.c.id == bindparam("_id"), refunds.c.agency_id == bindparam("_agency"))
)
BY_KEY = prepare(
    select(refunds).where(
        refunds.c.agency_id == bindparam("_agency"), refunds.c.idempotency_key == bindparam("_key")
    )
)


class SqlRefundRepository(RefundRepository):
    def __init__(self, sql: Any) -> None:
        self.sql = sql

    async def add(self, refund: Refund) -> None:
        await self.sql.write(ADD, refund_values(refund))

    async def get(self, refund_id: str, agency_id: str) -> Refund | None:
        row = await self.sql.row(BY_ID, {"_id": refund_id, "_agency": agency_id})
        return refund_from_row(row) if row else None

    async def get_by_key(self, agency_id: str, key: str) -> Refund | None:
        row = await self.sql.row(BY_KEY, {"_agency": agency_id, "_key": key})
        return refund_from_row(row) if row else None

    async def save(self, refund: Refund) -> None:
        values = refund_values(refund)
        await self.sql.write(UPDATE, {"_id": refund.id, **{n: values[n] for n in _MUTABLE}})

    async def list_for(
        self, agency_id: str, *, payment_id: str = "", after: After = None, limit: int = 50
    ) -> list[Refund]:
        r = refunds.c
        query = select(refunds).where(r.agency_id == agency_id)
        if payment_id:
            query = query.where(r.payment_id == payment_id)
        if after is not None:
            time, last_id = after
            query = query.where(or_(r.create_time < time, and_(r.create_time == time, r.id < last_id)))
        query = query.order_by(r.create_time.desc(), r.id.desc()).limit(limit)
        return [refund_from_row(row) for row in await self.sql.rows(query)]

    async def of_day(self, agency_id: str, start: datetime, end: datetime) -> list[Refund]:
        r = refunds.c
        query = (
            select(refunds)
            .where(
                r.agency_id == agency_id,
                or_(
                    and_(r.create_time >= start, r.create_time < end),
                    and_(r.finish_time >= start, r.finish_time < end),
                ),
            )
            .order_by(r.create_time)
        )
        return [refund_from_row(row) for row in await self.sql.rows(query)]

    async def submitted_before(self, cutoff: datetime, *, limit: int) -> list[Refund]:
        query = (
            select(refunds)
            .where(refunds.c.state == int(RefundState.SUBMITTED), refunds.c.create_time < cutoff)
            .order_by(refunds.c.create_time)
            .limit(limit)
        )
        return [refund_from_row(row) for row in await self.sql.rows(query)]
