"""Batch writes for the bulk import: COPY into temporary tables then one INSERT ... ON CONFLICT DO NOTHING per
table on PostgreSQL (asyncpg), ``executemany`` elsewhere. Rows whose personal ID is already registered are
skipped, which makes a re-run of the same file harmless."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from .tables import citizen_versions, citizens, outbox

CITIZEN_COLUMNS = [c.name for c in citizens.columns]
VERSION_COLUMNS = [c.name for c in citizen_versions.columns]
_SETUP = [
    "CREATE TEMP TABLE IF NOT EXISTS tmp_citizens (LIKE citizens) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS tmp_versions (LIKE citizen_versions) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS tmp_outbox (pid_index bytea, event_id text, type text, envelope bytea) "
    "ON COMMIT DELETE ROWS",
]
_KNOWN = "SELECT pid_index FROM citizens WHERE pid_index = ANY($1::bytea[])"
_MERGE = f"""
WITH ins AS (
  INSERT INTO citizens ({", ".join(CITIZEN_COLUMNS)}) SELECT {", ".join(CITIZEN_COLUMNS)} FROM tmp_citizens
  ON CONFLICT (pid_index) DO NOTHING RETURNING pid_index
), v AS (
  INSERT INTO citizen_versions ({", ".join(VERSION_COLUMNS)})
  SELECT {", ".join("t." + c for c in VERSION_COLUMNS)} FROM tmp_versions t JOIN ins USING (pid_index)
  RETURNING 1
), o AS (
  INSERT INTO outbox (event_id, type, envelope, created_at, attempts)
  SELECT t.event_id, t.type, t.envelope, $1, 0 FROM tmp_outbox t JOIN ins USING (pid_index) RETURNING 1
)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM v), (SELECT count(*) FROM o)
"""  # noqa: S608 (column names come from our own table definitions)


class PostgresBulkWriter:
    """One asyncpg connection for the whole import."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @classmethod
    async def connect(cls, url: str) -> PostgresBulkWriter:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        for statement in _SETUP:
            await conn.execute(statement)
        return cls(conn)

    async def write(self, rows: list[tuple[Any, ...]]) -> int:
        """Insert the rows not registered yet; returns how many were inserted.

        Fast path: drop the IDs already registered, then COPY straight into the tables. If another writer
        registers one of them meanwhile (unique violation), the batch goes through the temporary tables and
        ``ON CONFLICT DO NOTHING`` instead.
        """
        import asyncpg

        async with self.conn.transaction():
            known = await self.conn.fetch(_KNOWN, [r[0] for r in rows])
            existing = {r[0] for r in known}
            fresh = [r for r in rows if r[0] not in existing]
            if not fresh:
                return 0
            try:
                async with self.conn.transaction():
                    await self._copy(fresh, "citizens", "citizen_versions", None)
                return len(fresh)
            except asyncpg.UniqueViolationError:
                await self._copy(fresh, "tmp_citizens", "tmp_versions", "tmp_outbox")
                inserted, _, _ = await self.conn.fetchrow(_MERGE, dt.datetime.now(dt.UTC))
                return int(inserted)

    async def _copy(
        self, rows: list[tuple[Any, ...]], citizens_to: str, versions_to: str, outbox_to: str | None
    ) -> None:
        await self.conn.copy_records_to_table(
            citizens_to, columns=CITIZEN_COLUMNS, records=[c for _, c, _, _ in rows]
        )
        await self.conn.copy_records_to_table(
            versions_to, columns=VERSION_COLUMNS, records=[v for _, _, v, _ in rows]
        )
        if outbox_to is None:
            now = dt.datetime.now(dt.UTC)
            await self.conn.copy_records_to_table(
                "outbox",
                columns=["event_id", "type", "envelope", "created_at", "attempts"],
                records=[(*event, now, 0) for _, _, _, event in rows],
            )
        else:
            await self.conn.copy_records_to_table(
                outbox_to,
                columns=["pid_index", "event_id", "type", "envelope"],
                records=[(pid, *event) for pid, _, _, event in rows],
            )

    async def close(self) -> None:
        await self.conn.close()


class GenericBulkWriter:
    """SQLite (embedded mode): look up which IDs exist, then ``executemany`` the rest."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def write(self, rows: list[tuple[Any, ...]]) -> int:
        async with self.engine.begin() as conn:
            wanted = [pid for pid, _, _, _ in rows]
            found = {
                r[0]
                for r in await conn.execute(
                    select(citizens.c.pid_index).where(citizens.c.pid_index.in_(wanted))
                )
            }
            fresh = [r for r in rows if r[0] not in found]
            if fresh:
                now = dt.datetime.now(dt.UTC)
                await conn.execute(
                    insert(citizens), [dict(zip(CITIZEN_COLUMNS, c, strict=True)) for _, c, _, _ in fresh]
                )
                await conn.execute(
                    insert(citizen_versions),
                    [dict(zip(VERSION_COLUMNS, v, strict=True)) for _, _, v, _ in fresh],
                )
                await conn.execute(
                    insert(outbox),
                    [
                        {"event_id": e[0], "type": e[1], "envelope": e[2], "created_at": now, "attempts": 0}
                        for _, _, _, e in fresh
                    ],
                )
        return len(fresh)

    async def close(self) -> None:
        await self.engine.dispose()
