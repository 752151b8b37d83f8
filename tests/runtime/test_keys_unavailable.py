"""A service started while identity is down (finding 4 of issue #13): calls needing a token fail fast with
UNAVAILABLE ``KEYS_UNAVAILABLE`` and a ``RetryInfo`` (never INTERNAL after a long hold), health says NOT_SERVING
until the signing keys are loaded, then SERVING, and calls succeed."""

from __future__ import annotations

import asyncio
import socket
import time

import grpc
from aiohttp import web
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong_runtime.auth import KeySource, TokenVerifier
from lienthong_runtime.config import ServiceSettings
from lienthong_runtime.jwks import jwks_fetcher
from lienthong_runtime.server import LIVENESS, ServiceApp
from lienthong_runtime.testing import TokenMint, running

from .test_pipeline import SERVICE, Servicer, _call_error, _info


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _health(channel: grpc.aio.Channel, service: str = SERVICE) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    return (await stub.Check(health_pb2.HealthCheckRequest(service=service))).status


async def _serve_jwks(port: int, mint: TokenMint) -> web.AppRunner:
    async def jwks(_: web.Request) -> web.Response:
        return web.json_response(mint.jwks())

    http = web.Application()
    http.router.add_get("/.well-known/jwks.json", jwks)
    runner = web.AppRunner(http)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def test_a_replica_started_during_an_identity_outage(unix_socket):
    mint = TokenMint()
    port = _free_port()  # identity's HTTP side port, nothing listening yet
    verifier = TokenVerifier(
        KeySource(jwks_fetcher(f"http://127.0.0.1:{port}/.well-known/jwks.json"), failure_backoff=0.3),
        issuer=mint.issuer,
        audience=mint.audience,
    )
    servicer = Servicer()
    app = ServiceApp(
        name="keys-outage",
        settings=ServiceSettings(),
        verifier=verifier,
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE],
    )
    async with running(app, unix_socket) as channel:
        assert await _health(channel) == health_pb2.HealthCheckResponse.NOT_SERVING
        assert await _health(channel, LIVENESS) == health_pb2.HealthCheckResponse.SERVING  # alive: no restart
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        metadata = mint.metadata(["identity.agencies.admin"])
        for _ in range(3):
            started = time.monotonic()
            error = await _call_error(
                stub.ListAgencies(identity_pb2.ListAgenciesRequest(), metadata=metadata)
            )
            assert time.monotonic() - started < 1.5  # no hold of several seconds
            assert error.code() is grpc.StatusCode.UNAVAILABLE, error.details()
            assert _info(error).reason == "KEYS_UNAVAILABLE"
            retry = [
                d for d in rpc_status.from_call(error).details if d.Is(error_details_pb2.RetryInfo.DESCRIPTOR)
            ]
            assert retry, "UNAVAILABLE carries a RetryInfo"
        # A public method still answers without the keys.
        assert (await stub.GetJwks(identity_pb2.GetJwksRequest(), metadata=metadata)).jwks_json

        identity = await _serve_jwks(port, mint)  # identity is back
        try:
            deadline = time.monotonic() + 5
            while await _health(channel) != health_pb2.HealthCheckResponse.SERVING:
                assert time.monotonic() < deadline, "still NOT_SERVING after the keys became reachable"
                await asyncio.sleep(0.05)
            reply = await stub.ListAgencies(identity_pb2.ListAgenciesRequest(), metadata=metadata)
            assert reply.next_page_token == "agency-test"
        finally:
            await identity.cleanup()


async def test_a_hung_identity_holds_a_call_at_most_the_fetch_timeout(unix_socket):
    """A grpc:// JWKS source whose identity accepts connections but never answers: the fetch gives up after its
    timeout and the call gets UNAVAILABLE, then later calls fail at once during the back-off."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen()
    mint = TokenMint()
    keys = KeySource(
        jwks_fetcher(f"grpc://127.0.0.1:{hung.getsockname()[1]}", timeout=0.5), failure_backoff=5
    )
    verifier = TokenVerifier(keys, issuer=mint.issuer, audience=mint.audience)
    servicer = Servicer()
    app = ServiceApp(
        name="keys-hung",
        settings=ServiceSettings(),
        verifier=verifier,
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE],
    )
    try:
        async with running(app, unix_socket) as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            started = time.monotonic()
            error = await _call_error(
                stub.ListAgencies(
                    identity_pb2.ListAgenciesRequest(), metadata=mint.metadata(["identity.agencies.admin"])
                )
            )
            assert time.monotonic() - started < 1.0
            assert error.code() is grpc.StatusCode.UNAVAILABLE and _info(error).reason == "KEYS_UNAVAILABLE"
    finally:
        hung.close()
