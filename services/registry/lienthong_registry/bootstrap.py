"""Composition root of the registry service."""

from __future__ import annotations

from typing import Any

from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .adapters.access_log_writer import AccessLogWriter
from .adapters.crypto import load_keys
from .adapters.sealed_events import UnsealingBus
from .adapters.tables import outbox
from .config import Settings
from .grpc_api import RegistryService
from .handlers import Registry

SERVICE_NAME = registry_pb2.DESCRIPTOR.services_by_name["RegistryService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


async def build(settings: Settings, *, verifier: TokenVerifier | None = None) -> ServiceApp:
    """The registry app; refuses to build in production without encryption and blind-index keys."""
    keyring, index = load_keys(settings)
    resources = open_resources(settings, verifier=verifier)
    writer = AccessLogWriter(resources.sessions, batch=settings.access_log_batch)
    relay = OutboxRelay(resources.sessions, outbox, UnsealingBus(resources.bus, keyring))
    registry = Registry(sessions=resources.sessions, keyring=keyring, index=index, log=writer, relay=relay)
    servicer = RegistryService(registry)
    return ServiceApp(
        name="registry",
        settings=settings,
        register=lambda server: registry_pb2_grpc.add_RegistryServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        background=[relay.run],
        on_stop=[writer.close, resources.close],
    )
