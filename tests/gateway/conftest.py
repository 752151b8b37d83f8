"""Fakes for the gateway's tests: upstream replicas that count calls, and a gateway in front of them.

The upstreams are bare grpc.aio servers with a generic handler (bytes in, bytes out), on Unix sockets, so the
tests see exactly what reaches them: how many calls, with which metadata and deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from lienthong_gateway.bootstrap import Gateway, build_gateway, load_settings
from lienthong_gateway.routing import Route, contract_routes
from lienthong_runtime.auth import KeySource
from lienthong_runtime.contract import AccessRule
from lienthong_runtime.server import Server
from lienthong_runtime.status import error_status
from lienthong_runtime.testing import TokenMint

GET_CITIZEN = "/lienthong.registry.v1.RegistryService/GetCitizen"
CREATE_CITIZEN = "/lienthong.registry.v1.RegistryService/CreateCitizen"
GET_JWKS = "/lienthong.identity.v1.IdentityService/GetJwks"
GET_PAYMENT = "/lienthong.payment.v1.PaymentService/GetPayment"
READ = "registry.citizens.read"
#: Test-only streaming routes (the v1 contract has no streaming RPC yet), guarded like a contract read.
WATCH = "/lienthong.registry.v1.RegistryService/WatchForTest"
CHAT = "/lienthong.registry.v1.RegistryService/ChatForTest"
UPLOAD = "/lienthong.registry.v1.RegistryService/UploadForTest"


_PLENTY = {"rate": 1e6, "burst": 1e6}
#: Budgets no functional test reaches (the rate-limit tests set their own).
GENEROUS = {"agency": {"read": _PLENTY, "write": _PLENTY}, "client": {"read": _PLENTY, "write": _PLENTY}}


class FakeUpstream:
    """A replica: answers ``b"ok:" + request`` and remembers what it saw; special requests fail or hang."""

    def __init__(self, socket_path: str, name: str = "upstream") -> None:
        self.socket_path, self.name = socket_path, name
        self.calls: Counter[str] = Counter()
        self.metadata: list[dict[str, Any]] = []
        self.deadlines: list[float | None] = []
        self.cancelled = asyncio.Event()
        self.server: grpc.aio.Server | None = None

    @property
    def target(self) -> str:
        return f"unix:{self.socket_path}"

    async def _unary(self, request: bytes, context: grpc.aio.ServicerContext, method: str) -> bytes:
        self.calls[method] += 1
        self.metadata.append(dict(context.invocation_metadata() or ()))
        self.deadlines.append(context.time_remaining())
        if request == b"fail":
            status = error_status(
                grpc.StatusCode.NOT_FOUND,
                "no such citizen",
                "CITIZEN_NOT_FOUND",
                metadata={"citizen_id": "001"},
            )
            await context.abort(status.code, status.details, status.trailing_metadata)
        if request == b"hang":
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        return b"ok:" + self.name.encode() + b":" + request

    async def _stream(self, request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        self.calls[WATCH] += 1
        for i in range(3):
            yield request + str(i).encode()
        if request == b"hang":
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise

    async def _chat(
        self, requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[bytes]:
        self.calls[CHAT] += 1
        async for message in requests:
            yield message.upper()

    async def _upload(self, requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> bytes:
        self.calls[UPLOAD] += 1
        return b"+".join([m async for m in requests])

    def _handler(self) -> grpc.GenericRpcHandler:
        upstream = self

        class Handler(grpc.GenericRpcHandler):
            def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
                method = details.method
                if method == WATCH:
                    return grpc.unary_stream_rpc_method_handler(upstream._stream)
                if method == CHAT:
                    return grpc.stream_stream_rpc_method_handler(upstream._chat)
                if method == UPLOAD:
                    return grpc.stream_unary_rpc_method_handler(upstream._upload)
                if method.startswith("/lienthong."):

                    async def unary(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
                        return await upstream._unary(request, context, method)

                    return grpc.unary_unary_rpc_method_handler(unary)
                return None

        return Handler()

    async def start(self) -> FakeUpstream:
        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        server.add_generic_rpc_handlers((self._handler(),))
        health = self.health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
        server.add_insecure_port(self.target)
        await server.start()
        await health.set("", health_pb2.HealthCheckResponse.SERVING)
        self.server = server
        return self

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop(0)
            self.server = None


def streaming_routes() -> dict[str, Route]:
    rule = AccessRule(WATCH, frozenset({READ}), False)
    return {
        **contract_routes(),
        WATCH: Route(WATCH, "registry", rule, False, True),
        CHAT: Route(CHAT, "registry", rule, True, True),
        UPLOAD: Route(UPLOAD, "registry", rule, True, False),
    }


@pytest.fixture
def socket_dir() -> Any:
    folder = tempfile.mkdtemp(prefix="ltgw-")
    yield folder
    for name in os.listdir(folder):
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
    os.rmdir(folder)


@pytest.fixture
def mint() -> TokenMint:
    return TokenMint()


@pytest.fixture
async def upstream(socket_dir: str) -> AsyncIterator[FakeUpstream]:
    replica = await FakeUpstream(os.path.join(socket_dir, "up-a.sock"), "a").start()
    yield replica
    await replica.stop()


class Running:
    """A started gateway, a channel to it, and raw (bytes) callables."""

    def __init__(self, gateway: Gateway, server: Server, channel: grpc.aio.Channel) -> None:
        self.gateway, self.server, self.channel = gateway, server, channel

    def unary(self, method: str) -> Any:
        return self.channel.unary_unary(method)


@contextlib.asynccontextmanager
async def run_gateway(
    mint: TokenMint,
    socket_dir: str,
    upstreams: dict[str, list[str]],
    *,
    keys: KeySource | None = None,
    **overrides: Any,
) -> AsyncIterator[Running]:
    """Start a gateway on a Unix socket in front of ``upstreams`` (tokens from ``mint``)."""
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": -1,
        "http_port": 0,
        "rest_port": 0,
        "unix_socket": os.path.join(socket_dir, "gw.sock"),
        "upstreams": upstreams,
        "token_issuer": mint.issuer,
        "token_audience": mint.audience,
        "bus_url": f"memory://gw-{uuid.uuid4().hex}",
        "audit_path": os.path.join(socket_dir, "audit.jsonl"),
        "redis_url": "",
        "health_interval": 0.2,
        "rate_limits": GENEROUS,
    }
    values.update(overrides)
    routes = values.pop("routes", None)
    settings = load_settings(**values)
    gateway = await build_gateway(settings, keys=keys or KeySource.from_jwks(mint.jwks()), routes=routes)
    server = Server(gateway.app)
    await server.start()
    channel = grpc.aio.insecure_channel(f"unix:{settings.unix_socket}", options=[("grpc.so_reuseport", 0)])
    try:
        yield Running(gateway, server, channel)
    finally:
        await channel.close()
        await server.stop(0)
