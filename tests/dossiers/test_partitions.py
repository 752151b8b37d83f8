"""dossiers' outbox and access log become monthly partitions with their rows (migration 0004), `lienthong migrate`
creates a year ahead for them, and the downgrade gives the plain tables back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest
from alembic import command

from lienthong_cli.partitions import create_on_migrate
from lienthong_runtime import migrations
from lienthong_runtime.db import asyncpg_connect_args

pytestmark = pytest.mark.postgres
PACKAGE = "lienthong_dossiers"


async def _connect(url: str) -> asyncpg.Connection:
    dsn, options = asyncpg_connect_args(url)
    return await asyncpg.connect(dsn, **options)


async def _kind(conn: asyncpg.Connection, table: str) -> str:
    return str(await conn.fetchval("SELECT relkind::text FROM pg_class WHERE relname = $1", table))


async def test_the_access_log_and_outbox_partition_by_month_with_their_rows(pg_url):
    await migrations.upgrade_async(PACKAGE, pg_url, "dossiers", "0003")
    conn = await _connect(pg_url)
    try:
        for i, month in enumerate(((2026, 10), (2026, 11))):
            await conn.execute(
                "INSERT INTO dossier_access_log (dossier_id, actor_kind, actor, agency_id, action, time) "
                "VALUES ($1, 'officer', 'cb-1', 'agency-a', 'GetDossier', $2)",
                f"d{i}",
                datetime(*month, 2, tzinfo=UTC),
            )
        await migrations.upgrade_async(PACKAGE, pg_url, "dossiers")
        assert await _kind(conn, "dossier_access_log") == "p" and await _kind(conn, "outbox") == "p"
        assert await conn.fetchval("SELECT count(*) FROM dossier_access_log_p202610") == 1
        assert await conn.fetchval("SELECT count(*) FROM dossier_access_log") == 2
        created = await create_on_migrate("dossiers", pg_url)
        # The migration made three months ahead; a deploy's migrate makes a year.
        assert {n.rsplit("_p", 1)[0] for n in created} == {"outbox", "dossier_access_log"}
        await asyncio.to_thread(
            command.downgrade, migrations.alembic_config(PACKAGE, pg_url, "dossiers"), "0003"
        )
        assert await _kind(conn, "dossier_access_log") == "r" and await _kind(conn, "outbox") == "r"
        assert await conn.fetchval("SELECT count(*) FROM dossier_access_log") == 2
    finally:
        await conn.close()
