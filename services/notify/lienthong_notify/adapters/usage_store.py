"""Daily send counters per agency and channel, for the daily cap."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import daily_usage


def _insert(session: AsyncSession, table: Table):  # type: ignore[no-untyped-def]
    dialect = session.bind.dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


async def add_within_cap(
    session: AsyncSession, agency_id: str, channel: str, day: str, count: int, cap: int
) -> bool:
    """Add ``count`` sends to today's counter unless that passes ``cap``; False (and nothing added) if it would.

    One upsert, so concurrent senders of the same agency serialise on the row instead of racing.
    """
    if count > cap:
        return False
    statement = _insert(session, daily_usage).values(
        agency_id=agency_id, channel=channel, day=day, count=count
    )
    statement = statement.on_conflict_do_update(
        index_elements=["agency_id", "channel", "day"],
        set_={"count": daily_usage.c.count + count},
        where=daily_usage.c.count + count <= cap,
    ).returning(daily_usage.c.count)
    return (await session.execute(statement)).first() is not None
