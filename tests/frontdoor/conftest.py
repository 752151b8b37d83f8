"""Two front doors, one policy: the Python gateway and the HAProxy engine, each in front of the same echo upstream,
each fed identity's events from its own in-process bus (the engine through its agent and runtime API).

HAProxy is never skipped: ``make test`` installs it (tools/system-deps.sh); a machine without it fails here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from lienthong_edge.agent import Agent, EngineKeys, EngineRevocations
from lienthong_edge.process import engine
from lienthong_edge.runtime_api import RuntimeApi
from lienthong_gateway.bootstrap import load_settings
from lienthong_gateway.routing import BLOCKS
from lienthong_runtime.events import connect_bus
from lienthong_runtime.testing import TokenMint
from tests.gateway.conftest import GENEROUS, run_gateway

DOORS = ("gateway", "engine")


class EchoUpstream:
    """A replica of every block on one TCP port: answers ``b"ok:" + request`` and counts calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.metadata: list[dict[str, Any]] = []
        self.server: grpc.aio.Server | None = None
        self.port = 0

    async def start(self) -> EchoUpstream:
        upstream = self

        class Handler(grpc.GenericRpcHandler):
            def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
                if not details.method.startswith("/lienthong."):
                    return None

                async def unary(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
                    upstream.calls += 1
                    upstream.metadata.append(dict(context.invocation_metadata() or ()))
                    return b"ok:" + request

                return grpc.unary_unary_rpc_method_handler(unary)

        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        server.add_generic_rpc_handlers((Handler(),))
        health = self.health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
        self.port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        await health.set("", health_pb2.HealthCheckResponse.SERVING)
        self.server = server
        return self

    @property
    def upstreams(self) -> dict[str, list[str]]:
        target = f"127.0.0.1:{self.port}"
        return {block: [target] for block in BLOCKS}

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop(0)


class Door:
    """A started front door: a channel to it and the bus its verifier listens to."""

    def __init__(self, kind: str, channel: grpc.aio.Channel, bus_url: str, upstream: EchoUpstream) -> None:
        self.kind, self.channel, self.bus_url, self.upstream = kind, channel, bus_url, upstream
        self.engine: Any = None

    async def call(self, method: str, request: bytes = b"x", metadata: Any = ()) -> bytes:
        return await self.channel.unary_unary(method)(request, metadata=tuple(metadata), timeout=5)

    async def publish(self, message: Any) -> None:
        from lienthong_runtime.events import envelope

        await connect_bus(self.bus_url).publish(envelope("identity", message))


@contextlib.asynccontextmanager
async def open_door(kind: str, mint: TokenMint, tmp: str, **gateway: Any) -> AsyncIterator[Door]:
    """The ``kind`` front door with the gateway settings ``gateway`` (rate limits, leeway...)."""
    os.makedirs(tmp, exist_ok=True)
    upstream = await EchoUpstream().start()
    bus_url = f"memory://door-{uuid.uuid4().hex}"
    values: dict[str, Any] = {"rate_limits": GENEROUS, **gateway}
    try:
        if kind == "gateway":
            async with run_gateway(mint, tmp, upstream.upstreams, bus_url=bus_url, **values) as running:
                yield Door(kind, running.channel, bus_url, upstream)
            return
        settings = load_settings(
            upstreams=upstream.upstreams, token_issuer=mint.issuer, token_audience=mint.audience, **values
        )
        with engine(settings, jwks=mint.jwks(), folder=os.path.join(tmp, "engine")) as running:
            api = RuntimeApi(running.edge.admin_socket, running.edge.master_socket)

            async def fetch() -> Any:
                return mint.jwks()

            agent = Agent(EngineRevocations(running.state, api), EngineKeys(fetch, running.state, api))
            await agent.subscribe(connect_bus(bus_url), "edge-agent")
            channel = grpc.aio.insecure_channel(running.target, options=[("grpc.so_reuseport", 0)])
            door = Door(kind, channel, bus_url, upstream)
            door.engine = running
            await _until_up(door)
            upstream.calls, upstream.metadata = 0, []
            try:
                yield door
            finally:
                await channel.close()
    finally:
        await upstream.stop()


async def _until_up(door: Door) -> None:
    """The engine's health checks mark the upstream up within a check interval; wait for a public call."""
    for _ in range(50):
        try:
            await door.call("/lienthong.identity.v1.IdentityService/GetJwks")
            return
        except grpc.aio.AioRpcError:
            await asyncio.sleep(0.1)
    raise AssertionError("the engine never reached its upstream")


@pytest.fixture
def mint() -> TokenMint:
    return TokenMint()


@pytest.fixture
def short_dir() -> Any:
    """A short temporary folder (Unix socket paths must stay under 108 bytes)."""
    folder = tempfile.mkdtemp(prefix="ltfd-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=DOORS)
async def door(request: pytest.FixtureRequest, mint: TokenMint, short_dir: str) -> AsyncIterator[Door]:
    async with open_door(request.param, mint, short_dir) as opened:
        yield opened
