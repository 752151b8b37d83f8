"""Daily send counters per agency and channel, for the daily cap.

The counter of one agency, channel and day is spread over ``SHARDS`` rows: a send reads the sum (no lock) and
adds to a random shard, so concurrent sends of one agency do not serialise on a single row lock held until
their commit. The price is a bounded overshoot: sends in flight at the same moment may pass the cap by at most
their number.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import Integer, String, Table, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ..handlers.ports import UsageRepository
from .tables import daily_usage

SHARDS = 8


def _insert(session: AsyncConnection, table: Table) -> Any:
    dialect = session.dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class SqlUsageRepository(UsageRepository):
    """Daily counters on one transaction's connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def used(self, agency_id: str, channel: str, day: str) -> int:
        return int(
            (
                await self.conn.execute(
                    select(func.coalesce(func.sum(daily_usage.c.count), 0)).where(
                        daily_usage.c.agency_id == agency_id,
                        daily_usage.c.channel == channel,
                        daily_usage.c.day == day,
                    )
                )
            ).scalar_one()
        )

    async def add_within_cap(self, agency_id: str, channel: str, day: str, count: int, cap: int) -> bool:
        """Add ``count`` sends to the day's counter unless that passes ``cap``; False (nothing added) if it would.

        One statement: an upsert into a random shard whose SELECT only yields a row while the sum is within the cap.
        """
        if count > cap:
            return False
        used_so_far = (
            select(func.coalesce(func.sum(daily_usage.c.count), 0))
            .where(
                daily_usage.c.agency_id == agency_id,
                daily_usage.c.channel == channel,
                daily_usage.c.day == day,
            )
            .scalar_subquery()
        )
        source = select(
            literal(agency_id, String),
            literal(channel, String),
            literal(day, String),
            literal(random.randrange(SHARDS), Integer),
            literal(count, Integer),
        ).where(used_so_far + count <= cap)
        statement = _insert(self.conn, daily_usage).from_select(
            ["agency_id", "channel", "day", "shard", "count"], source
        )
        statement = statement.on_conflict_do_update(
            index_elements=["agency_id", "channel", "day", "shard"],
            set_={"count": daily_usage.c.count + count},
        )
        return (await self.conn.execute(statement.returning(daily_usage.c.count))).first() is not None
