"""Group commit for the access log: concurrent reads hand their entries to one writer task that appends them in
batches, so the chain's single-writer lock is taken once per batch, not once per read. A read answers only after
its entries are committed (fail closed: no log, no data)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.db import asyncpg_connect_args
from lienthong_runtime.errors import Unavailable

from ..domain.access_log import AccessLogEntry
from . import access_log_store

log = logging.getLogger("lienthong.registry")

Pending = tuple[list[AccessLogEntry], asyncio.Future[None]]
#: Locked appends retried after colliding with another process's lock-free append.
_LOCKED_ATTEMPTS = 5


class AccessLogWriter:
    """Appends entries in batches of at most ``batch``; started lazily in the running event loop."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        batch: int = 512,
        pg_url: str | None = None,
        linger: float = 0.001,
    ) -> None:
        self.sessions = sessions
        self.batch = batch
        #: On PostgreSQL the writer keeps one asyncpg connection of its own (no pool or session per batch).
        self.pg_url = pg_url.replace("postgresql+asyncpg://", "postgresql://", 1) if pg_url else None
        self._conn: Any = None
        #: ``(sequence, hash, time)`` of the last entry this writer committed, while it is known to be the tail.
        self._tail: access_log_store.Tail | None = None
        self._pending: list[Pending] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        #: Seconds a loaded writer waits to fill a batch; whether calls queued during the last write.
        self.linger = linger
        self._loaded = False

    async def append(self, entries: list[AccessLogEntry]) -> None:
        """Return once ``entries`` are committed to the chain."""
        if not entries:
            return
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._run())
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((entries, future))
        assert self._wake is not None
        self._wake.set()
        # A cancelled call cancels its future; its entries are still written, and the writer sets outcomes
        # only on futures not yet done, so no outcome is left unretrieved (no shield or callback needed).
        await future

    def _take(self) -> list[Pending]:
        taken: list[Pending] = []
        size = 0
        while self._pending and (not taken or size + len(self._pending[0][0]) <= self.batch):
            item = self._pending.pop(0)
            taken.append(item)
            size += len(item[0])
        return taken

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            # Let the calls that are ready run first and add their entries: fewer, fuller batches.
            await asyncio.sleep(0)
            self._wake.clear()
            while self._pending:
                if self._loaded and self.linger > 0 and len(self._pending) < self.batch:
                    # Under load (calls queued up while the last batch was written), wait a moment so the
                    # next batch is fuller: fewer commits and wakeups per call. An idle writer never waits.
                    await asyncio.sleep(self.linger)
                    self._wake.clear()
                taken = self._take()
                try:
                    await self._write([e for entries, _ in taken for e in entries])
                except Exception as exc:  # no exception text: it may carry row values
                    log.warning("access log append failed: %s", type(exc).__name__)
                    await self._drop_connection()
                    for _, future in taken:
                        if not future.done():
                            future.set_exception(
                                Unavailable(
                                    "the access log could not be written", reason="ACCESS_LOG_UNAVAILABLE"
                                )
                            )
                    continue
                for _, future in taken:
                    if not future.done():
                        future.set_result(None)
                self._loaded = bool(self._pending)

    async def _write(self, entries: list[AccessLogEntry]) -> None:
        if self.pg_url is None:
            async with self.sessions() as session, session.begin():
                await access_log_store.append(session, entries)
            return
        import asyncpg

        if self._conn is None:
            dsn, options = asyncpg_connect_args(self.pg_url)
            self._conn = await asyncpg.connect(dsn, **options)
        if self._tail is not None:
            # Usually this process is the only writer: one round trip, no lock, no tail read.
            try:
                linked = await access_log_store.append_pg_after(self._conn, entries, self._tail)
            except access_log_store.ChainMoved:
                self._tail = None  # another process appended since: take the lock and read the head
            else:
                self._tail = linked[-1].sequence, linked[-1].entry_hash, linked[-1].time_us
                return
        for attempt in range(_LOCKED_ATTEMPTS):
            try:
                async with self._conn.transaction():
                    linked = await access_log_store.append_pg(self._conn, entries)
            except access_log_store.ChainMoved:
                # Another process's lock-free append moved the head after our read: read it again.
                if attempt == _LOCKED_ATTEMPTS - 1:
                    raise
                continue
            self._tail = linked[-1].sequence, linked[-1].entry_hash, linked[-1].time_us
            return

    async def _drop_connection(self) -> None:
        self._tail = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for _, future in self._pending:
            if not future.done():
                future.set_exception(Unavailable("the service is stopping", reason="SHUTTING_DOWN"))
        self._pending.clear()
        await self._drop_connection()
