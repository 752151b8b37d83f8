"""Agencies' callback settings and the queue of callback POSTs still to make."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.callbacks import CallbackConfig
from ..domain.channels import Status
from ..domain.notifications import Notification, new_id
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


async def get(session: AsyncConnection, agency_id: str) -> CallbackConfig | None:
    row = (await session.execute(select(callbacks).where(callbacks.c.agency_id == agency_id))).first()
    return _config(row._mapping) if row else None


async def for_agencies(session: AsyncConnection, agency_ids: Iterable[str]) -> dict[str, CallbackConfig]:
    ids = sorted(set(agency_ids))
    if not ids:
        return {}
    rows = (await session.execute(select(callbacks).where(callbacks.c.agency_id.in_(ids)))).all()
    return {r.agency_id: _config(r._mapping) for r in rows}


async def save(session: AsyncConnection, config: CallbackConfig, exists: bool) -> None:
    values = {
        "url": config.url,
        "statuses": ",".join(sorted(s.value for s in config.statuses)),
        "secret": config.secret,
        "secret_create_time": config.secret_create_time,
        "update_time": config.update_time,
    }
    if exists:
        await session.execute(
            update(callbacks).where(callbacks.c.agency_id == config.agency_id).values(**values)
        )
    else:
        await session.execute(
            insert(callbacks).values(agency_id=config.agency_id, create_time=config.create_time, **values)
        )


async def remove(session: AsyncConnection, agency_id: str) -> None:
    await session.execute(delete(callbacks).where(callbacks.c.agency_id == agency_id))


def payload(n: Notification, now: datetime) -> bytes:
    """The JSON body of a status callback (no message content, only what the agency needs to match it)."""
    return json.dumps(
        {
            "id": n.id,
            "reference": n.reference,
            "batch_id": n.batch_id,
            "channel": n.channel.value,
            "status": f"NOTIFICATION_STATUS_{n.status.value}",
            "failure_reason": n.failure_reason,
            "test": n.test,
            "status_time": now.isoformat(),
        },
        separators=(",", ":"),
    ).encode()


async def enqueue(session: AsyncConnection, moved: Sequence[Notification], now: datetime) -> int:
    """Queue a POST for each status change an agency's callback asks for."""
    configs = await for_agencies(session, (n.agency_id for n in moved))
    rows = [
        {"id": new_id(), "agency_id": n.agency_id, "payload": payload(n, now), "due_at": now, "attempts": 0}
        for n in moved
        if n.agency_id in configs and configs[n.agency_id].wants(n.status)
    ]
    if rows:
        await session.execute(insert(callback_deliveries), rows)
    return len(rows)


async def claim(session: AsyncConnection, limit: int, lease_s: float, now: datetime) -> list[Any]:
    due = (
        select(callback_deliveries.c.id)
        .where(callback_deliveries.c.due_at <= now)
        .order_by(callback_deliveries.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(
        (
            await session.execute(
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
    )


async def delivered(session: AsyncConnection, delivery_id: str) -> None:
    await session.execute(delete(callback_deliveries).where(callback_deliveries.c.id == delivery_id))


async def retry_at(session: AsyncConnection, delivery_id: str, due_at: datetime) -> None:
    await session.execute(
        update(callback_deliveries)
        .where(callback_deliveries.c.id == delivery_id)
        .values(due_at=due_at, attempts=callback_deliveries.c.attempts + 1)
    )
