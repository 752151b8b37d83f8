"""Composition root of the registry service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.db import (
    DEFAULT_MAX_OVERFLOW,
    DEFAULT_POOL_SIZE,
    async_url,
    create_engine,
    is_sqlite,
    session_factory,
)
from lienthong_runtime.events import OutboxRelay, connect_bus
from lienthong_runtime.jwks import verifier_from_settings
from lienthong_runtime.server import ServiceApp

from .adapters.access_log_writer import AccessLogWriter
from .adapters.citizen_store import CitizenStore
from .adapters.crypto import CitizenIndex, Keyring, load_keys
from .adapters.pg_reader import PgReader
from .adapters.policy_cache import PolicyCache
from .adapters.reads import CachedPolicies, SqlAccessLog, SqlCitizenReads, reading_on
from .adapters.replicas import MONITOR_POOL, READ_POOL, ReplicaRouter, split_urls
from .adapters.sealed_events import unsealing_bus
from .adapters.tables import outbox
from .adapters.uow import SqlRegistryUnitOfWork
from .config import Settings
from .grpc_api import RegistryService
from .handlers.context import Services, utc_now
from .handlers.ports import AccessLog, CitizenReads, PolicyLookup, RegistryUnitOfWork

SERVICE_NAME = registry_pb2.DESCRIPTOR.services_by_name["RegistryService"].full_name


def database_connections(settings: Settings) -> dict[str, int]:
    """The most PostgreSQL connections one registry process opens, per server ("primary", and "standby" for
    each standby): the write engine, the read engine, the by-ID pool, the access-log writer and the monitor."""
    reads = READ_POOL["pool_size"] + READ_POOL["max_overflow"] + settings.db_pool_size
    primary = DEFAULT_POOL_SIZE + DEFAULT_MAX_OVERFLOW + reads + 1
    standbys = split_urls(settings.read_replica_urls)
    return {"primary": primary + (MONITOR_POOL if standbys else 0)} | ({"standby": reads} if standbys else {})


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


@dataclass
class Registry:
    """The composed registry: what its servicer needs (a unit of work per call, the services) and what the
    server runs beside it and stops after it."""

    uow: Callable[[], RegistryUnitOfWork]
    services: Services
    bus: Any
    engine: AsyncEngine
    background: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for stop in self.on_stop:
            await stop()


def compose(
    settings: Settings,
    *,
    keys: tuple[Keyring, CitizenIndex] | None = None,
    bus: Any = None,
    uow_factory: Callable[[], RegistryUnitOfWork] | None = None,
    reads: CitizenReads | None = None,
    policies: PolicyLookup | None = None,
    access_log: AccessLog | None = None,
    now: Callable[[], dt.datetime] = utc_now,
) -> Registry:
    """Every adapter of the registry, built here or injected; refuses to compose in production without encryption
    and blind-index keys. Handlers receive the unit of work and :class:`Services`, never build an adapter."""
    keyring, index = keys or load_keys(settings)
    sqlite = is_sqlite(settings.database_url)
    # Reads outside a transaction use a separate AUTOCOMMIT pool (no BEGIN/ROLLBACK round trips), and the
    # by-ID read an asyncpg pool of its own (PgReader); neither pre-pings (pool_recycle bounds connection age).
    pool = {} if sqlite else {**READ_POOL, "pool_pre_ping": False, "pool_recycle": 1800}
    engine = create_engine(settings.database_url)
    read_engine = (
        None if sqlite else create_engine(settings.database_url, isolation_level="AUTOCOMMIT", **pool)
    )
    reader = None if sqlite else PgReader(async_url(settings.database_url), settings.db_pool_size)
    sessions = session_factory(engine)
    reading = reading_on(sessions, read_engine)
    store = CitizenStore(keyring, index, reader)
    standbys = [] if sqlite else split_urls(settings.read_replica_urls)
    replicas = (
        ReplicaRouter.build(
            settings.database_url,
            standbys,
            settings.db_pool_size,
            settings.replica_max_lag_seconds,
            settings.replica_check_seconds,
        )
        if standbys
        else None
    )
    bus = bus or connect_bus(settings.bus_url)
    writer = AccessLogWriter(
        sessions,
        batch=settings.access_log_batch,
        pg_url=None if sqlite else async_url(settings.database_url),
        linger=settings.access_log_linger_seconds,
    )
    # Rows are sealed, and deleted once published: the outbox never accumulates personal IDs, even encrypted.
    relay = OutboxRelay(
        sessions, outbox, unsealing_bus(bus, keyring), delete_published=True, service="registry"
    )
    services = Services(
        reads=reads or SqlCitizenReads(store, reading, replicas),
        policies=policies or CachedPolicies(PolicyCache(settings.policy_cache_seconds), reading),
        access_log=access_log or SqlAccessLog(writer, reading),
        keyring=keyring,
        index=index,
        now=now,
    )
    uow = uow_factory or (lambda: SqlRegistryUnitOfWork(sessions, store, on_commit=relay.wake))

    async def close() -> None:
        await bus.close()
        await engine.dispose()
        if read_engine is not None:
            await read_engine.dispose()
        if reader is not None:
            await reader.close()
        if replicas is not None:
            await replicas.close()

    return Registry(
        uow,
        services,
        bus,
        engine,
        background=[relay.run, *([replicas.run] if replicas is not None else [])],
        on_stop=[writer.close, close],
    )


async def build(
    settings: Settings, *, verifier: TokenVerifier | None = None, **collaborators: Any
) -> ServiceApp:
    """The registry app (``collaborators``: any keyword of :func:`compose`, to inject an adapter)."""
    registry = compose(settings, **collaborators)
    servicer = RegistryService(registry.uow, registry.services)
    return ServiceApp(
        name="registry",
        settings=settings,
        register=lambda server: registry_pb2_grpc.add_RegistryServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=verifier or verifier_from_settings(settings),
        identity_events_bus=registry.bus,
        background=registry.background,
        on_stop=registry.on_stop,
        database=registry.engine,
    )
