"""Agencies' callback settings and the queue of callback POSTs still to make."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.callbacks import CallbackConfig, CallbackDue
from ..domain.channels import Status
from ..handlers.ports import CallbackRepository
from .tables import callback_deliveries, callbacks


def _config(m: Any) -> CallbackConfig:
    statuses = frozenset(Status(s) for s in m["statuses"].split(",") if s)
    return CallbackConfig(
        agency_id=m["agency_id"],
        url=m["url"],
        statuses=statuses,
        secret=m["secret"],
        secret_create_time=m["secret_create_time"],
        create_time=m["create_time"],
        update_time=m["update_time"],
    )


class SqlCallbackRepository(CallbackRepository):
    """Callback settings and the callback queue on one transaction's connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, agency_id: str) -> CallbackConfig | None:
        row = (await self.conn.execute(select(callbacks).where(callbacks.c.agency_id == agency_id))).first()
        return _config(row._mapping) if row else None

    async def for_agencies(self, agency_ids: Iterable[str]) -> dict[str, CallbackConfig]:
        ids = sorted(set(agency_ids))
        if not ids:
            return {}
        rows = (await self.conn.execute(select(callbacks).where(callbacks.c.agency_id.in_(ids)))).all()
        return {r.agency_id: _config(r._mapping) for r in rows}

    async def save(self, config: CallbackConfig, exists: bool) -> None:
        values = {
            "url": config.url,
            "statuses": ",".join(sorted(s.value for s in config.statuses)),
            "secret": config.secret,
            "secret_create_time": config.secret_create_time,
            "update_time": config.update_time,
        }
        if exists:
            await self.conn.execute(
                update(callbacks).where(callbacks.c.agency_id == config.agency_id).values(**values)
            )
        else:
            await self.conn.execute(
                insert(callbacks).values(agency_id=config.agency_id, create_time=config.create_time, **values)
            )

    async def remove(self, agency_id: str) -> None:
        await self.conn.execute(delete(callbacks).where(callbacks.c.agency_id == agency_id))

    async def enqueue(self, due: Sequence[CallbackDue], now: datetime) -> None:
        """Queue POSTs (one statement for all)."""
        if due:
            await self.conn.execute(
                insert(callback_deliveries),
                [
                    {
                        "id": d.id,
                        "agency_id": d.agency_id,
                        "payload": d.payload,
                        "due_at": now,
                        "attempts": d.attempts,
                    }
                    for d in due
                ],
            )

    async def claim(self, limit: int, lease_s: float, now: datetime) -> list[CallbackDue]:
        due = (
            select(callback_deliveries.c.id)
            .where(callback_deliveries.c.due_at <= now)
            .order_by(callback_deliveries.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = (
            await self.conn.execute(
                update(callback_deliveries)
                .where(callback_deliveries.c.id.in_(due.scalar_subquery()))
                .values(due_at=now + timedelta(seconds=lease_s))
                .returning(
                    callback_deliveries.c.id,
                    callback_deliveries.c.agency_id,
                    callback_deliveries.c.payload,
                    callback_deliveries.c.attempts,
                )
            )
        ).all()
        return [CallbackDue(r.id, r.agency_id, bytes(r.payload), r.attempts) for r in rows]

    async def delivered(self, delivery_id: str) -> None:
        await self.conn.execute(delete(callback_deliveries).where(callback_deliveries.c.id == delivery_id))

    async def retry_at(self, delivery_id: str, due_at: datetime) -> None:
        await self.conn.execute(
            update(callback_deliveries)
            .where(callback_deliveries.c.id == delivery_id)
            .values(due_at=due_at, attempts=callback_deliveries.c.attempts + 1)
        )
