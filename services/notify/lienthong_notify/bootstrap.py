"""Composition root of the notify service."""

from __future__ import annotations

from typing import Any

from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .config import Settings
from .grpc_api import NotifyService

SERVICE_NAME = notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


async def build(settings: Settings) -> ServiceApp:
    resources = open_resources(settings)
    servicer = NotifyService()
    return ServiceApp(
        name="notify",
        settings=settings,
        register=lambda server: notify_pb2_grpc.add_NotifyServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        on_stop=[resources.close],
    )
