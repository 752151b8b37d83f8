"""The client's policy (finding 6 of issue #13): ``lienthong/service_config.json`` is a valid gRPC service config
covering every service of the contract, ``connect`` applies it with a short reconnect backoff and keepalive, and
a client whose server went away for a few seconds gets its first success within about a second of the server
serving again (gRPC's default backoff made that 7.7-10.3 s in the fault drills)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from importlib import resources

import grpc
import pytest

from lienthong.client import DEFAULT_TIMEOUT, channel_options, connect
from lienthong.client.channel import CHANNEL_ARGUMENTS, SERVICE_CONFIG
from lienthong_runtime.contract import contract_services

ECHO = "/lienthong.test.v1.Echo/Ping"


def _is_streaming(service: str, method: str) -> bool:
    from lienthong_gateway.routing import contract_routes

    route = contract_routes()[f"/{service}/{method}"]
    return bool(route.client_streaming or route.server_streaming)


def test_the_shipped_service_config_covers_every_service():
    text = resources.files("lienthong").joinpath("service_config.json").read_text(encoding="utf-8")
    config = json.loads(text)
    named = {n["service"] for entry in config["methodConfig"] for n in entry["name"] if "service" in n}
    assert named == set(contract_services())
    for entry in config["methodConfig"]:
        if all("method" in n for n in entry["name"]):
            # Streams (a subscription, a 100 MB upload) carry no default deadline: a service config timeout would
            # cap the caller's own; the caller sets one that fits the stream.
            assert "timeout" not in entry and all(
                _is_streaming(n["service"], n["method"]) for n in entry["name"]
            )
        else:
            assert entry["timeout"] == f"{DEFAULT_TIMEOUT:.0f}s"
        assert entry["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    arguments = dict(CHANNEL_ARGUMENTS)
    assert arguments["grpc.max_reconnect_backoff_ms"] <= 1000
    assert arguments["grpc.keepalive_time_ms"] >= 10_000  # the servers refuse pings more often than 10 s
    assert SERVICE_CONFIG == config


async def test_grpc_accepts_the_service_config_as_shipped():
    """A channel given the whole file (what another language loads) is valid: a bad config fails every call
    with INVALID_ARGUMENT before any connection attempt."""
    text = resources.files("lienthong").joinpath("service_config.json").read_text(encoding="utf-8")
    port = _free_port()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.service_config", text)]) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await ch.unary_unary(ECHO)(b"", timeout=0.3)
    assert caught.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _echo_server(port: int) -> grpc.aio.Server:
    async def ping(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return b"pong"

    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    handler = grpc.method_handlers_generic_handler(
        "lienthong.test.v1.Echo", {"Ping": grpc.unary_unary_rpc_method_handler(ping)}
    )
    server.add_generic_rpc_handlers((handler,))
    assert server.add_insecure_port(f"127.0.0.1:{port}") == port
    await server.start()
    return server


async def test_a_client_comes_back_within_a_second_of_its_server():
    assert ("grpc.max_reconnect_backoff_ms", 1000) in channel_options()
    port = _free_port()
    server = await _echo_server(port)
    async with connect(f"127.0.0.1:{port}") as channel:
        ping = channel.unary_unary(ECHO)
        assert await ping(b"", timeout=2) == b"pong"
        await server.stop(None)
        # The server is gone for 6 s while the client keeps calling (each call fails fast): with gRPC's
        # default backoff (1 s x 1.6 per attempt) the next connection attempt would be ~3 s after it returns.
        down_until = time.monotonic() + 6
        while time.monotonic() < down_until:
            with pytest.raises(grpc.aio.AioRpcError):
                await ping(b"", timeout=0.3)
            await asyncio.sleep(0.1)
        server = await _echo_server(port)
        back = time.monotonic()
        try:
            while True:
                try:
                    assert await ping(b"", timeout=0.3) == b"pong"
                    break
                except grpc.aio.AioRpcError:
                    await asyncio.sleep(0.05)
            recovered = time.monotonic() - back
        finally:
            await server.stop(None)
    assert recovered < 1.6, f"first success {recovered:.1f} s after the server came back"


def test_options_given_to_connect_override_the_defaults():
    options = dict(channel_options(extra=[("grpc.max_reconnect_backoff_ms", 5000)]))
    assert options["grpc.max_reconnect_backoff_ms"] == 5000
    assert len(channel_options(extra=[("grpc.max_reconnect_backoff_ms", 5000)])) == len(channel_options())
