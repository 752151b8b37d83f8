"""Composition root of the citizen portal: the front-door client, the session sealer and the pages.

The portal is its own process (``lienthong serve portal``; also started by ``lienthong dev``). Its pages are on
the HTTP port beside ``/metrics`` and ``/healthz``; its gRPC port serves only ``grpc.health.v1`` for probes.
It holds no data of its own: no database, no bus.
"""

from __future__ import annotations

from typing import Any

from lienthong_runtime.config import data_folder, secret_value
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.crypto import load_keyring
from lienthong_runtime.server import ServiceApp

from .config import Settings
from .front_door import FrontDoor
from .session import SessionCodec
from .web import Portal


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


def build_portal(settings: Settings, front_door: FrontDoor | None = None) -> Portal:
    keyring = load_keyring(
        secret_value(settings.session_keys),
        setting="LIENTHONG_PORTAL_SESSION_KEYS",
        dev_mode=settings.dev_mode,
        data_dir=data_folder(settings),
        dev_name="portal-session-key",
    )
    codec = SessionCodec(
        keyring, secure=settings.secure_cookies, idle_seconds=settings.session_idle_minutes * 60
    )
    front = front_door or FrontDoor(
        settings.gateway_target, settings.gateway_ca_file, settings.gateway_server_name
    )
    return Portal(front, codec, max_log_entries=settings.max_log_entries)


async def build(settings: Settings) -> ServiceApp:
    """The portal app; refuses to build in production without session keys (``MissingKey``)."""
    portal = build_portal(settings)
    return ServiceApp(
        name="portal",
        settings=settings,
        register=lambda server: None,
        service_names=[],
        http_routes=portal.routes(),
        on_stop=[portal.front.close],
    )
