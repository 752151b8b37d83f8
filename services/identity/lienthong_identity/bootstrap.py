"""Composition root of the identity service."""

from __future__ import annotations

from typing import Any

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .config import Settings
from .grpc_api import IdentityService

SERVICE_NAME = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


async def build(settings: Settings) -> ServiceApp:
    resources = open_resources(settings)
    servicer = IdentityService()
    return ServiceApp(
        name="identity",
        settings=settings,
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        on_stop=[resources.close],
    )
