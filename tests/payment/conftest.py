"""Fixtures of the payment tests: the whole service on a fresh PostgreSQL database, driven through gRPC.

``svc`` starts the real composition root (schema created, a locally minted token verifier, the HTTP side
server on an ephemeral port) and gives stubs per agency, the notification intake and the sandbox provider.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong.payment.v1 import payment_pb2_grpc
from lienthong_payment.adapters.sandbox import SandboxProvider
from lienthong_payment.adapters.tables import metadata
from lienthong_payment.bootstrap import Assembly, assemble, load_settings
from lienthong_runtime.crypto import b64encode
from lienthong_runtime.db import create_engine
from lienthong_runtime.server import Server
from lienthong_runtime.testing import TokenMint

#: A keyring as production configures it (``kid:base64``), fresh per test run.
TEST_KEYS = f"test1:{b64encode(os.urandom(32))}"

ALL_SCOPES = (
    "payment.payments.read",
    "payment.payments.write",
    "payment.refunds.write",
    "payment.reports.read",
)


@dataclass
class PaymentService:
    """A running payment service and helpers to call it as one agency or another."""

    assembly: Assembly
    server: Server
    channel: grpc.aio.Channel
    mint: TokenMint
    stubs: dict[str, Any] = field(default_factory=dict)

    @property
    def sandbox(self) -> SandboxProvider:
        provider = self.assembly.providers["sandbox"]
        assert isinstance(provider, SandboxProvider)
        return provider

    def metadata(self, agency: str, scopes: tuple[str, ...] = ALL_SCOPES) -> tuple[tuple[str, str], ...]:
        return self.mint.metadata(scopes, agency=agency)

    def stub(self, agency: str) -> AgencyClient:
        return AgencyClient(payment_pb2_grpc.PaymentServiceStub(self.channel), self.metadata(agency))

    async def settle(self) -> None:
        """Wait until the sandbox delivered every self-notification it scheduled."""
        await asyncio.wait_for(self.sandbox.idle(), timeout=10)


class AgencyClient:
    """Calls the service with one agency's token: ``await client.CreatePayment(request)``."""

    def __init__(self, stub: Any, metadata: tuple[tuple[str, str], ...]) -> None:
        self._stub, self._metadata = stub, metadata

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._stub, name)
        return lambda request: method(request, metadata=self._metadata, timeout=30)


def create_request(**overrides: Any) -> pb.CreatePaymentRequest:
    values: dict[str, Any] = {
        "amount_vnd": 150_000,
        "description": "Lệ phí cấp bản sao trích lục",
        "reference": "HS-2026-0001",
        "return_url": "https://dichvucong.example.vn/return",
        "idempotency_key": uuid.uuid4().hex,
        "payer_email": "citizen@example.vn",
    }
    values.update(overrides)
    return pb.CreatePaymentRequest(**values)


async def paid_payment(svc: PaymentService, agency: str, amount: int = 100_000) -> pb.Payment:
    """A SUCCESS payment of ``agency`` through the sandbox's own notification path."""
    client = svc.stub(agency)
    created = (await client.CreatePayment(create_request(amount_vnd=amount))).payment
    await client.StartPayment(pb.StartPaymentRequest(payment_id=created.id))
    await svc.settle()
    payment = (await client.GetPayment(pb.GetPaymentRequest(payment_id=created.id))).payment
    assert payment.state == pb.PAYMENT_STATE_SUCCESS
    return payment


async def create_schema(url: str) -> None:
    """The payment tables from their metadata; test_migrations proves the migrations build the same."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
    finally:
        await engine.dispose()


@pytest.fixture
async def svc(pg_url: str, unix_socket: str) -> AsyncIterator[PaymentService]:
    await create_schema(pg_url)
    mint = TokenMint()
    settings = load_settings(
        database_url=pg_url,
        bus_url=f"memory://payment-test-{uuid.uuid4().hex}",
        http_port=0,
        port=-1,
        unix_socket=unix_socket,
        sandbox_enabled=True,
        sandbox_notify_delay_seconds=0.0,
        expiry_interval_seconds=3600,
        resolve_interval_seconds=3600,  # tests drive the resolver themselves (test_stuck.py)
        sandbox_secret="sandbox-test-secret",
        public_http_url="https://pay.lienthong.test",
        vnpay_tmn_code="LTTEST01",
        vnpay_hash_secret="vnpay-test-secret",
        encryption_keys=TEST_KEYS,
    )
    assembly = await assemble(settings, verifier=mint.verifier())
    server = Server(assembly.app)
    await server.start()
    channel = grpc.aio.insecure_channel(f"unix:{unix_socket}")
    try:
        yield PaymentService(assembly, server, channel, mint)
    finally:
        await channel.close()
        await server.stop(0)


async def rpc_error(call: Any) -> tuple[grpc.StatusCode, str]:
    """The status code and ErrorInfo reason of a call that must fail."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    reason = ""
    status = rpc_status.from_call(caught.value)
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
    return caught.value.code(), reason


async def count_rows(svc: PaymentService, table: Any, *where: Any) -> int:
    from sqlalchemy import func, select

    async with svc.assembly.engine.connect() as session:
        return int(
            (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
        )


async def ledger_ok(svc: PaymentService) -> bool:
    from lienthong_payment.handlers.reports import check_ledger

    check = await check_ledger(svc.assembly.uow())
    assert check.ok, check.violations
    return check.ok
