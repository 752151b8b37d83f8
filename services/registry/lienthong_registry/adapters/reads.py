"""The registry's read ports on PostgreSQL or SQLite (``handlers/ports.py`` says why reads bypass the unit of
work): the by-ID read on the asyncpg pool, other reads on AUTOCOMMIT connections, each sent to a fresh hot standby
when replicas are configured (``replicas.py`` decides which, and falls back to the primary when a standby fails);
policies from the per-process cache; read entries through the group-commit writer."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from ..domain.access_log import AccessLogEntry
from ..domain.citizen import Citizen, VersionMeta
from ..domain.disclosure import DisclosurePolicy
from ..handlers.ports import AccessLog, CallerKey, CitizenReads, HouseholdCursor, LogQuery, PolicyLookup
from . import access_log_store
from .access_log_writer import AccessLogWriter
from .citizen_store import CitizenStore
from .policy_cache import PolicyCache
from .replicas import ReplicaRouter, Standby, on_standby

T = TypeVar("T")
Reading = Callable[[], AbstractAsyncContextManager[AsyncSession | AsyncConnection]]


def reading_on(sessions: async_sessionmaker[AsyncSession], read_engine: AsyncEngine | None) -> Reading:
    """A connection for reads that need no transaction: from the AUTOCOMMIT engine (no BEGIN/ROLLBACK round
    trips) on PostgreSQL, else a session (SQLite)."""

    @asynccontextmanager
    async def reading() -> AsyncIterator[AsyncSession | AsyncConnection]:
        if read_engine is None:
            async with sessions() as session:
                yield session
        else:
            async with read_engine.connect() as conn:
                yield conn

    return reading


class SqlCitizenReads(CitizenReads):
    def __init__(self, store: CitizenStore, reading: Reading, replicas: ReplicaRouter | None = None) -> None:
        self.store, self.reading, self.replicas = store, reading, replicas

    async def find(self, caller: CallerKey, personal_id: str) -> Citizen | None:
        async def standby(s: Standby) -> Citizen | None:
            return await self.store.find(self.reading, personal_id, reader=s.reader)

        if self.replicas is None:  # the hot path: no closure, no routing
            return await self.store.find(self.reading, personal_id)
        return await on_standby(
            self.replicas, caller, standby, lambda: self.store.find(self.reading, personal_id)
        )

    async def _on(self, caller: CallerKey, query: Callable[[Any], Awaitable[T]]) -> T:
        """``await query(connection)`` on a standby's or the primary's read connection."""

        async def standby(s: Standby) -> T:
            async with s.engine.connect() as conn:
                return await query(conn)

        async def primary() -> T:
            async with self.reading() as conn:
                return await query(conn)

        return await on_standby(self.replicas, caller, standby, primary)

    async def household(
        self, caller: CallerKey, household_id: str, after: HouseholdCursor | None, limit: int
    ) -> list[tuple[Citizen, HouseholdCursor]]:
        return await self._on(caller, lambda conn: self.store.household(conn, household_id, after, limit))

    async def history(
        self, caller: CallerKey, personal_id: str, before: int | None, limit: int
    ) -> list[tuple[Citizen, VersionMeta]]:
        return await self._on(caller, lambda conn: self.store.history(conn, personal_id, before, limit))

    async def search(
        self,
        caller: CallerKey,
        full_name: str,
        birth_iso: str,
        province: str,
        after: bytes | None,
        limit: int,
    ) -> list[tuple[Citizen, bytes]]:
        return await self._on(
            caller, lambda conn: self.store.search(conn, full_name, birth_iso, province, after, limit)
        )

    async def own_record(self, personal_id: str) -> Citizen | None:
        return await self.store.find(self.reading, personal_id)

    async def wrote(self, caller: CallerKey) -> None:
        if self.replicas is not None:
            await self.replicas.wrote(caller)


class CachedPolicies(PolicyLookup):
    """Policies through the per-process cache (``policy_cache_seconds``), read on a miss."""

    def __init__(self, cache: PolicyCache, reading: Reading) -> None:
        self.cache, self.reading = cache, reading

    async def get(self, agency_id: str, purpose: str) -> DisclosurePolicy | None:
        return await self.cache.get(self.reading, agency_id, purpose)

    def invalidate(self) -> None:
        self.cache.invalidate()


class SqlAccessLog(AccessLog):
    """Appends through the group-commit writer (one task per process, lock-free while it holds the tail)."""

    def __init__(self, writer: AccessLogWriter, reading: Reading) -> None:
        self.writer, self.reading = writer, reading

    async def append(self, entries: list[AccessLogEntry]) -> None:
        await self.writer.append(entries)

    async def page(self, query: LogQuery) -> list[AccessLogEntry]:
        async with self.reading() as conn:
            return await access_log_store.page(conn, **dataclasses.asdict(query))

    async def hashes_of(self, sequences: set[int]) -> dict[int, str]:
        if not sequences:
            return {}
        async with self.reading() as conn:
            return await access_log_store.hashes_of(conn, sequences)
