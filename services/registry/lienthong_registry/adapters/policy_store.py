"""Disclosure policies in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ..domain.dates import from_us
from ..domain.disclosure import DisclosurePolicy
from .tables import disclosure_policies as t


def _policy(row: Any) -> DisclosurePolicy:
    return DisclosurePolicy(
        row.agency_id,
        row.purpose,
        tuple(row.fields.split()),
        row.legal_basis,
        from_us(row.created_us),
        from_us(row.updated_us),
    )


async def get(
    session: AsyncSession | AsyncConnection, agency_id: str, purpose: str
) -> DisclosurePolicy | None:
    row = (await session.execute(select(t).where(t.c.agency_id == agency_id, t.c.purpose == purpose))).first()
    return _policy(row) if row else None


async def put(session: AsyncSession, p: DisclosurePolicy, now_us: int) -> DisclosurePolicy:
    """Create or replace in one statement (an upsert), so two concurrent calls for the same policy never collide
    on its key; the creation time of a replaced policy is kept."""
    values = {"fields": " ".join(p.fields), "legal_basis": p.legal_basis, "updated_us": now_us}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(t).values(agency_id=p.agency_id, purpose=p.purpose, created_us=now_us, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[t.c.agency_id, t.c.purpose], set_=values)
    )
    stored = await get(session, p.agency_id, p.purpose)
    assert stored is not None
    return stored


async def remove(session: AsyncSession, agency_id: str, purpose: str) -> bool:
    done = await session.execute(delete(t).where(t.c.agency_id == agency_id, t.c.purpose == purpose))
    return bool(done.rowcount)  # type: ignore[attr-defined]


async def page(
    session: AsyncSession | AsyncConnection, agency_id: str, after: tuple[str, str] | None, limit: int
) -> list[DisclosurePolicy]:
    """Policies ordered by (agency, purpose), of one agency when ``agency_id`` is set."""
    query = select(t)
    if agency_id:
        query = query.where(t.c.agency_id == agency_id)
    if after is not None:
        query = query.where(tuple_(t.c.agency_id, t.c.purpose) > tuple_(*after))
    rows = (await session.execute(query.order_by(t.c.agency_id, t.c.purpose).limit(limit))).all()
    return [_policy(r) for r in rows]
