"""Composition root of the registry service."""

from __future__ import annotations

from typing import Any

from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .config import Settings
from .grpc_api import RegistryService

SERVICE_NAME = registry_pb2.DESCRIPTOR.services_by_name["RegistryService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


async def build(settings: Settings) -> ServiceApp:
    resources = open_resources(settings)
    servicer = RegistryService()
    return ServiceApp(
        name="registry",
        settings=settings,
        register=lambda server: registry_pb2_grpc.add_RegistryServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        on_stop=[resources.close],
    )
