"""Composition root of the payment service."""

from __future__ import annotations

from typing import Any

from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .config import Settings
from .grpc_api import PaymentService

SERVICE_NAME = payment_pb2.DESCRIPTOR.services_by_name["PaymentService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


async def build(settings: Settings) -> ServiceApp:
    resources = open_resources(settings)
    servicer = PaymentService()
    return ServiceApp(
        name="payment",
        settings=settings,
        register=lambda server: payment_pb2_grpc.add_PaymentServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        on_stop=[resources.close],
    )
