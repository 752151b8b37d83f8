"""Reads from PostgreSQL hot standbys: which standby may serve a read, and when the primary must.

A standby serves a read only while it is *fresh*: reachable, still in recovery, and replayed at least as far as
the primary's WAL position of ``max_lag`` seconds ago (the monitor samples both every ``check_every`` seconds).
So a record committed more than ``max_lag`` seconds ago is on every standby that serves reads. A caller who
wrote through this process is sent to a standby only once it has replayed that write's WAL position (read your
own write), else to the primary. A standby that fails a read is taken out until the monitor finds it well again,
and the read is answered by the primary.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from lienthong_runtime.db import async_url, create_engine

from .pg_reader import PgReader

log = logging.getLogger("lienthong.registry.replicas")
T = TypeVar("T")

PRIMARY_LSN = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS lsn"
STANDBY_LSN = (
    "SELECT pg_is_in_recovery() AS standby,"
    " pg_wal_lsn_diff(COALESCE(pg_last_wal_replay_lsn(), '0/0'), '0/0')::bigint AS lsn"
)
#: The AUTOCOMMIT engine of the reads other than by ID (on the primary, and on each standby).
READ_POOL = {"pool_size": 5, "max_overflow": 10}
#: The monitor's pool on the primary (WAL positions).
MONITOR_POOL = 2
#: A write's WAL position is remembered this much longer than ``max_lag`` (after that any fresh standby has it).
OWN_WRITE_MARGIN = 2
CallerKey = tuple[str, str]


def split_urls(value: str) -> list[str]:
    """``LIENTHONG_REGISTRY_READ_REPLICA_URLS``: comma-separated PostgreSQL URLs, blanks ignored."""
    return [async_url(u.strip()) for u in value.split(",") if u.strip()]


@dataclass
class Standby:
    """One hot standby: an asyncpg pool (by-ID reads, the monitor) and an AUTOCOMMIT engine (other reads)."""

    name: str
    reader: PgReader
    engine: AsyncEngine
    replay_lsn: int = -1
    #: Reachable and in recovery at the last check, and no read failed since.
    well: bool = False


@dataclass
class ReplicaRouter:
    """Chooses a standby per read; counts where reads went (``served``) for metrics and tests."""

    primary: PgReader
    standbys: list[Standby]
    max_lag: float = 5.0
    check_every: float = 0.5
    served: collections.Counter[str] = field(default_factory=collections.Counter)
    _samples: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)
    _own: dict[CallerKey, tuple[int, float]] = field(default_factory=dict)
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    @classmethod
    def build(
        cls, primary_url: str, urls: list[str], pool_size: int, max_lag: float, check_every: float
    ) -> ReplicaRouter:
        standbys = []
        for n, url in enumerate(urls):
            engine = create_engine(
                url,
                isolation_level="AUTOCOMMIT",
                pool_size=READ_POOL["pool_size"],
                max_overflow=READ_POOL["max_overflow"],
                pool_pre_ping=False,
                pool_recycle=1800,
                connect_args={"timeout": 2},
            )
            standbys.append(Standby(f"standby-{n}", PgReader(url, pool_size, connect_timeout=2), engine))
        primary = PgReader(async_url(primary_url), MONITOR_POOL, connect_timeout=5)
        return cls(primary, standbys, max_lag=max_lag, check_every=check_every)

    def pick(self, caller: CallerKey) -> Standby | None:
        """A fresh standby for this caller's read, or None: read from the primary."""
        now = time.monotonic()
        need = self._own.get(caller)
        if need is not None and need[1] < now:
            del self._own[caller]
            need = None
        floor = self._fresh_floor(now)
        if need is not None:
            floor = max(floor, need[0])
        fresh = [s for s in self.standbys if s.well and s.replay_lsn >= floor]
        if not fresh:
            self.served["primary"] += 1
            return None
        self.served["standby"] += 1
        return fresh[next(self._turn) % len(fresh)]

    def failed(self, standby: Standby, error: BaseException) -> None:
        """A read on ``standby`` failed: out of rotation until the monitor finds it well again."""
        standby.well = False
        self.served["fallback"] += 1
        log.warning(
            "standby read failed; reading from the primary",
            extra={"standby": standby.name, "error": type(error).__name__},
        )

    async def wrote(self, caller: CallerKey) -> None:
        """Called after ``caller``'s write committed: their reads need a standby that replayed it."""
        try:
            lsn = int((await self.primary.fetchrow(PRIMARY_LSN))["lsn"])
        except Exception as error:  # unknown position: the primary answers this caller for the window
            log.warning("primary WAL position unknown", extra={"error": type(error).__name__})
            lsn = 1 << 62
        if len(self._own) > 100_000:
            now = time.monotonic()
            self._own = {k: v for k, v in self._own.items() if v[1] >= now}
        self._own[caller] = (lsn, time.monotonic() + self.max_lag + OWN_WRITE_MARGIN * self.check_every)

    def _fresh_floor(self, now: float) -> int:
        """The primary's WAL position ``max_lag`` seconds ago (the oldest sample while younger than that);
        with no sample yet, nothing is fresh."""
        floor = 1 << 62
        for at, lsn in self._samples:
            if at > now - self.max_lag and floor != 1 << 62:
                break
            floor = lsn
        return floor

    async def check(self) -> None:
        """Sample the primary's WAL position and each standby's replay position."""
        now = time.monotonic()
        with contextlib.suppress(Exception):
            self._samples.append((now, int((await self.primary.fetchrow(PRIMARY_LSN))["lsn"])))
        while len(self._samples) > 1 and self._samples[1][0] <= now - self.max_lag:
            self._samples.popleft()
        for standby in self.standbys:
            try:
                row = await asyncio.wait_for(standby.reader.fetchrow(STANDBY_LSN), 2.0)
                standby.replay_lsn, standby.well = int(row["lsn"]), bool(row["standby"])
            except Exception as error:
                if standby.well:
                    log.warning(
                        "standby unreachable", extra={"standby": standby.name, "error": type(error).__name__}
                    )
                standby.well = False
                # Its pooled connections may be dead: reconnect when it is back.
                await standby.reader.close()
                await standby.engine.dispose()

    async def run(self) -> None:
        """The monitor (a background job of the service)."""
        while True:
            await self.check()
            await asyncio.sleep(self.check_every)

    async def close(self) -> None:
        await self.primary.close()
        for standby in self.standbys:
            await standby.reader.close()
            await standby.engine.dispose()


def caller_key(agency_id: str, client_id: str) -> CallerKey:
    return (agency_id, client_id)


async def on_standby(
    router: ReplicaRouter | None,
    caller: CallerKey,
    read: Callable[[Standby], Awaitable[T]],
    fallback: Callable[[], Awaitable[T]],
) -> T:
    """``await read(standby)`` on a standby chosen for ``caller``; ``await fallback()`` (the primary) when none
    is fresh or the standby fails."""
    standby = router.pick(caller) if router is not None else None
    if standby is not None and router is not None:
        try:
            return await read(standby)
        except Exception as error:  # connection lost, recovery conflict, standby shutting down, ...
            router.failed(standby, error)
    return await fallback()
