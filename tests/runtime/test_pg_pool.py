"""The runtime's lazy asyncpg pool (``lienthong_runtime.pg_pool``), against the real PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from lienthong_runtime.errors import NotFound, Unavailable
from lienthong_runtime.pg_pool import PgPool


def test_the_dsn_comes_from_the_service_url_and_the_pooler_option_becomes_asyncpgs():
    pool = PgPool("postgresql+asyncpg://u:p@db.internal:6432/payment?prepared_statement_cache_size=0", 4)
    assert pool.dsn == "postgresql://u:p@db.internal:6432/payment"
    assert pool.connect_args == {"statement_cache_size": 0}
    direct = PgPool("postgresql+asyncpg://u@db/payment", 4)
    assert direct.dsn == "postgresql://u@db/payment" and direct.connect_args == {}


async def test_it_opens_on_first_use_once_even_when_first_calls_race(pg_url):
    pool = PgPool(pg_url, 3)
    assert not pool.opened  # building it opened nothing
    try:
        rows = await asyncio.gather(*(pool.fetchrow("SELECT $1::int AS n", n) for n in range(8)))
        assert [r["n"] for r in rows] == list(range(8))
        first = await pool.pool()
        assert pool.opened and first.get_max_size() == 3
        await pool.fetchrow("SELECT 1")
        assert await pool.pool() is first
    finally:
        await pool.close()
    assert not pool.opened
    # Closed is not dead: the next use opens a new pool.
    try:
        assert (await pool.fetchrow("SELECT 2 AS n"))["n"] == 2
    finally:
        await pool.close()


async def test_a_connection_returned_inside_a_transaction_is_rolled_back(pg_url):
    pool = PgPool(pg_url, 1)  # one connection: the next user gets the same one
    try:
        conn = await pool.checkout()
        await conn.execute("BEGIN")
        await conn.execute("CREATE TEMP TABLE left_open (n int)")
        backend = conn.get_server_pid()
        await pool.release(conn)
        async with pool.acquire() as again:
            assert again.get_server_pid() == backend
            assert not again.is_in_transaction()
            assert await again.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await pool.close()


async def test_an_unreachable_database_is_unavailable_not_internal():
    pool = PgPool("postgresql+asyncpg://postgres@127.0.0.1:1/none", 1, connect_timeout=5)  # nothing on port 1
    for attempt in (pool.fetchrow("SELECT 1"), pool.checkout()):
        with pytest.raises(Unavailable) as caught:
            await attempt
        assert caught.value.reason == "DATABASE_UNAVAILABLE"
    await pool.close()


async def test_errors_that_are_not_about_the_database_pass_unchanged(pg_url):
    pool = PgPool(pg_url, 1)
    try:
        with pytest.raises(NotFound):
            async with pool.acquire():
                raise NotFound("the service's own answer")
        with pytest.raises(Exception, match="division by zero") as caught:
            await pool.fetchrow("SELECT 1 / 0")
        assert not isinstance(caught.value, Unavailable)
    finally:
        await pool.close()
