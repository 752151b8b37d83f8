"""CreateCitizen's idempotency keys in the database (inside the create's own transaction)."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..handlers.ports import CreateKey
from .tables import citizen_create_keys as t


async def find(session: AsyncSession, agency_id: str, key: str) -> CreateKey | None:
    row = (
        await session.execute(
            select(t.c.fingerprint, t.c.pid_index).where(
                t.c.agency_id == agency_id, t.c.idempotency_key == key
            )
        )
    ).first()
    return CreateKey(row.fingerprint, row.pid_index) if row else None


async def record(session: AsyncSession, agency_id: str, key: str, found: CreateKey, now_us: int) -> None:
    """Remember the key; the primary key refuses a second use, which the caller's transaction then undoes."""
    await session.execute(
        insert(t).values(
            agency_id=agency_id,
            idempotency_key=key,
            fingerprint=found.fingerprint,
            pid_index=found.pid_index,
            created_us=now_us,
        )
    )
