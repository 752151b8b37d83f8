"""Batches in the database, scoped to one agency."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import batches


async def add(session: AsyncConnection, row: dict[str, Any]) -> None:
    await session.execute(insert(batches).values(**row))


async def get(session: AsyncConnection, agency_id: str, batch_id: str) -> dict[str, Any] | None:
    row = (
        await session.execute(
            select(batches).where(batches.c.id == batch_id, batches.c.agency_id == agency_id)
        )
    ).first()
    return dict(row._mapping) if row else None


async def by_idempotency_key(session: AsyncConnection, agency_id: str, key: str) -> dict[str, Any] | None:
    row = (
        await session.execute(
            select(batches).where(batches.c.agency_id == agency_id, batches.c.idempotency_key == key)
        )
    ).first()
    return dict(row._mapping) if row else None
