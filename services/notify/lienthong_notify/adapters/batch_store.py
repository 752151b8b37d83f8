"""Batches in the database, scoped to one agency."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ..handlers.ports import BatchRepository, Conflict
from .tables import batches


class SqlBatchRepository(BatchRepository):
    """Batches on one transaction's connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, row: dict[str, Any]) -> None:
        try:
            await self.conn.execute(insert(batches).values(**row))
        except IntegrityError:  # (agency, idempotency key) taken by a concurrent call
            raise Conflict("batch idempotency key") from None

    async def get(self, agency_id: str, batch_id: str) -> dict[str, Any] | None:
        row = (
            await self.conn.execute(
                select(batches).where(batches.c.id == batch_id, batches.c.agency_id == agency_id)
            )
        ).first()
        return dict(row._mapping) if row else None

    async def by_idempotency_key(self, agency_id: str, key: str) -> dict[str, Any] | None:
        row = (
            await self.conn.execute(
                select(batches).where(batches.c.agency_id == agency_id, batches.c.idempotency_key == key)
            )
        ).first()
        return dict(row._mapping) if row else None
