"""A lazily opened asyncpg pool for a service's hot path (payment's writes, registry's read by personal ID).

Why a bare asyncpg pool beside the SQLAlchemy engine: a SQLAlchemy checkout, BEGIN/COMMIT and statement
execution cost ~300 us of CPU per transaction and ~90 us per statement above asyncpg itself (measured on
payment's create-and-complete path); registry's by-ID read is ~100 us cheaper per call on it.

- **Lazy**: the pool is created in the running event loop on first use (a composition root may build it before
  the loop that serves calls exists), once even when many first calls race.
- **URL**: the service's SQLAlchemy database URL (``postgresql+asyncpg://...``); the driver name is dropped and
  ``prepared_statement_cache_size=0`` (the PgBouncer transaction-pooling setting) becomes asyncpg's
  ``statement_cache_size=0`` (see :func:`lienthong_runtime.db.asyncpg_connect_args`).
- **Reset**: a connection goes back without asyncpg's default reset (a round trip on every release); these
  connections set no session state, so only a transaction left open by a cancelled call is rolled back.
- **No idle expiry** by default: asyncpg would arm and cancel a timer on every checkout.
- **Errors**: anything the runtime's one classification (:func:`lienthong_runtime.db_errors.database_unavailable`)
  calls "database unavailable", raised while a connection is held or acquired, becomes UNAVAILABLE
  ``DATABASE_UNAVAILABLE``, as the gRPC interceptor answers for the SQLAlchemy path.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .db import asyncpg_connect_args
from .db_errors import database_unavailable, database_unavailable_error

__all__ = ["PgPool"]


async def _rollback_if_open(conn: Any) -> None:
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class PgPool:
    """At most ``size`` connections to the database of ``url``, opened on first use.

    ``connect_timeout`` bounds a connection attempt (registry's standby readers use a short one so that a standby
    that went away is noticed quickly)."""

    def __init__(
        self,
        url: str,
        size: int,
        *,
        connect_timeout: float = 60.0,
        max_inactive_connection_lifetime: float = 0.0,
    ) -> None:
        self.dsn, self.connect_args = asyncpg_connect_args(url)
        self.size = size
        self.connect_timeout = connect_timeout
        self.max_inactive_connection_lifetime = max_inactive_connection_lifetime
        self._pool: Any = None
        self._lock = asyncio.Lock()

    @property
    def opened(self) -> bool:
        """Whether the pool exists (it is created by the first call that needs a connection)."""
        return self._pool is not None

    async def pool(self) -> Any:
        """The ``asyncpg.Pool``, created now if this is the first use."""
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    import asyncpg

                    self._pool = await asyncpg.create_pool(
                        self.dsn,
                        min_size=1,
                        max_size=self.size,
                        reset=_rollback_if_open,
                        max_inactive_connection_lifetime=self.max_inactive_connection_lifetime,
                        timeout=self.connect_timeout,
                        **self.connect_args,
                    )
        return self._pool

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        """A pooled ``asyncpg.Connection`` for the block (autocommit unless the block starts a transaction)."""
        try:
            pool = self._pool or await self.pool()
            async with pool.acquire() as conn:
                yield conn
        except Exception as exc:
            if database_unavailable(exc):
                raise database_unavailable_error() from exc
            raise

    async def checkout(self) -> Any:
        """A connection held until :meth:`release` (for a unit of work spanning several calls)."""
        try:
            pool = self._pool or await self.pool()
            return await pool.acquire()
        except Exception as exc:
            if database_unavailable(exc):
                raise database_unavailable_error() from exc
            raise

    async def release(self, conn: Any) -> None:
        if self._pool is not None:
            await self._pool.release(conn)

    async def fetchrow(self, query: str, *args: Any) -> Any:
        """The first row of one autocommit statement."""
        async with self.acquire() as conn:
            return await conn.fetchrow(query, *args)

    async def close(self, grace: float = 5.0) -> None:
        """Close every connection; a pool whose server went away cannot say goodbye on each connection, so after
        ``grace`` seconds the rest are terminated. The next use opens a new pool."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        try:
            await asyncio.wait_for(pool.close(), grace)
        except (TimeoutError, OSError):
            pool.terminate()
