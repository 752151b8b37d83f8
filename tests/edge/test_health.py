"""The engine's upstream health check is gRPC's: a replica that says NOT_SERVING (draining) takes no calls, and
comes back once it serves again."""

from __future__ import annotations

import asyncio
import time

import grpc
from grpc_health.v1 import health_pb2

from lienthong_edge.process import engine
from lienthong_gateway.bootstrap import load_settings
from tests.frontdoor.conftest import EchoUpstream

GET_JWKS = "/lienthong.identity.v1.IdentityService/GetJwks"  # public: no token needed


async def _code_within(channel: grpc.aio.Channel, code: grpc.StatusCode, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            await channel.unary_unary(GET_JWKS)(b"x", timeout=2)
            got = grpc.StatusCode.OK
        except grpc.aio.AioRpcError as error:
            got = error.code()
        if got == code:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {code.name} within {seconds} s")


async def test_a_draining_replica_is_taken_out_and_back() -> None:
    upstream = await EchoUpstream().start()
    try:
        with engine(load_settings(upstreams=upstream.upstreams)) as running:
            async with grpc.aio.insecure_channel(running.target) as channel:
                await _code_within(channel, grpc.StatusCode.OK, 5)
                await upstream.health.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
                await _code_within(channel, grpc.StatusCode.UNAVAILABLE, 5)
                await upstream.health.set("", health_pb2.HealthCheckResponse.SERVING)
                await _code_within(channel, grpc.StatusCode.OK, 5)
            down = [line for line in running.log_lines() if "is DOWN" in line]
            assert down and any('"code":"UNAVAILABLE"' in line for line in running.audit_lines())
    finally:
        await upstream.stop()
