"""Every service through PgBouncer in transaction mode (issue #18): the distributed topology (each block and two
gateway replicas as processes, configured like compose) with each block's database URL pointing at a PgBouncer of
the test's own, the citizen journey end to end (identity, registry, payment, notify), and the server connections
bounded by PgBouncer's pool while the processes hold many more client connections. Migrations talk to
PostgreSQL itself (they hold a session-level advisory lock, which transaction pooling cannot keep)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lienthong.registry.v1 import registry_pb2
from lienthong_runtime.db import asyncpg_connect_args
from lienthong_runtime.db import create_engine as create_async_engine
from tests.deploy.conftest import _redis_url
from tests.deploy.distributed import DistributedPlatform, delete_streams, drop_databases, start_platform
from tests.journey.journey import PURPOSE, run_journey

from .pgbouncer import PgBouncer, pgbouncer, version

pytestmark = [pytest.mark.postgres, pytest.mark.nats, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def bouncer(pg_server: str) -> Iterator[PgBouncer]:
    with pgbouncer(pg_server) as running:
        yield running


@pytest.fixture(scope="module")
def platform(pg_server: str, nats_url: str, bouncer: PgBouncer) -> Iterator[DistributedPlatform]:
    workdir = Path(tempfile.mkdtemp(prefix="lt-pgbouncer-dist-"))
    running = start_platform(
        workdir, pg_server, nats_url, redis_url=_redis_url(), serve_through=bouncer.url_for
    )
    try:
        yield running
    finally:
        running.stop()
        drop_databases(pg_server, running.database_urls)
        delete_streams(running.bus_url)
        if not os.environ.get("LIENTHONG_KEEP_DIST"):
            shutil.rmtree(workdir, ignore_errors=True)


async def test_every_service_works_through_pgbouncer(
    platform: DistributedPlatform, bouncer: PgBouncer, pg_server: str
) -> None:
    for name, url in platform.database_urls.items():
        served = (platform.workdir / "secrets" / f"{name}_database_url").read_text().strip()
        assert make_url(served).port == bouncer.port, name  # the processes really go through PgBouncer
    credentials = platform.journey_credentials
    # The journey twice over, concurrently: more client connections than PgBouncer has server connections.
    results = await asyncio.gather(
        *(run_journey(gateway, credentials, platform.read_mail) for gateway in platform.gateways)
    )
    for result in results:
        assert result.payment_id and result.reference in result.receipt and "125.000" in result.receipt
        reads = [
            e
            for e in result.access_log
            if e.action == registry_pb2.ACCESS_ACTION_READ and e.purpose == PURPOSE
        ]
        assert reads and reads[0].agency_id == credentials["agency_id"]
    admin = create_engine(
        make_url(pg_server).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    )
    with admin.connect() as conn:
        for name, url in platform.database_urls.items():
            count = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"),
                {"d": make_url(url).database},
            ).scalar_one()
            assert count <= bouncer.pool_size, (name, count)  # the pool bounds what PostgreSQL sees
    admin.dispose()


async def test_prepared_statements_through_transaction_pooling(bouncer: PgBouncer, pg_url: str) -> None:
    """Many clients, few server connections: SQLAlchemy and bare asyncpg statements (parameters, types that need
    introspection) interleave on shared server connections without a prepared-statement error."""
    url = bouncer.url_for(pg_url)
    if version() >= (1, 21):
        assert "prepared_statement_cache_size" not in url
    engine = create_async_engine(url, pool_size=20, max_overflow=0)
    dsn, options = asyncpg_connect_args(url)
    pool = await asyncpg.create_pool(dsn, min_size=20, max_size=20, **options)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id int PRIMARY KEY, tags text[], at timestamptz)"))

        async def orm(n: int) -> int:
            async with engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO t VALUES (:id, :tags, now())"), {"id": n, "tags": [f"t{n}"]}
                )
                return int(
                    (await conn.execute(text("SELECT count(*) FROM t WHERE id <= :n"), {"n": n})).scalar_one()
                )

        async def bare(n: int) -> int:
            async with pool.acquire() as conn:
                row = await conn.fetchrow("SELECT $1::int + 1 AS v, $2::text[] AS tags", n, ["x"])
                return int(row["v"]) - 1

        results = await asyncio.gather(*(orm(n) for n in range(200)), *(bare(n) for n in range(400)))
        assert results[200:] == list(range(400))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 200
        if version() < (1, 21):  # the control: asyncpg's named, cached statements do break here
            plain = await asyncpg.create_pool(dsn, min_size=20, max_size=20)
            try:
                failed = await asyncio.gather(
                    *(plain.fetchval(f"SELECT $1::int + {n % 7}", n) for n in range(200)),
                    return_exceptions=True,
                )
            finally:
                await plain.close()
            assert any(isinstance(e, asyncpg.InvalidSQLStatementNameError) for e in failed)
    finally:
        await pool.close()
        await engine.dispose()
