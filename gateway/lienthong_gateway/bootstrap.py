"""Composition root of the gateway."""

from __future__ import annotations

from typing import Any

from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.server import ServiceApp

from .config import Settings


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


async def build(settings: Settings) -> ServiceApp:
    return ServiceApp(name="gateway", settings=settings, register=lambda server: None, service_names=[])
