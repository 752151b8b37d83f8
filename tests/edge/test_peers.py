"""Two engine replicas share their rate-limit tables through HAProxy ``peers``: a client's budget spent on one
replica is spent on the other, so a caller cannot multiply its budget by the number of replicas."""

from __future__ import annotations

import asyncio
import time

import grpc
import pytest

from lienthong_edge.process import engine, free_port
from lienthong_gateway.bootstrap import load_settings
from lienthong_runtime.testing import TokenMint
from tests.frontdoor.conftest import EchoUpstream

GET_CITIZEN = "/lienthong.registry.v1.RegistryService/GetCitizen"
#: Three calls per 30-second window: nothing refills during the test.
SMALL = {"rate": 0.1, "burst": 3}
PLENTY = {"rate": 1000, "burst": 1000}


async def _call(target: str, token: str) -> grpc.StatusCode:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            await channel.unary_unary(GET_CITIZEN)(
                b"x", metadata=(("authorization", f"Bearer {token}"),), timeout=5
            )
        except grpc.aio.AioRpcError as error:
            assert error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED or "client's rate limit" in (
                error.details() or ""
            )
            return error.code()
    return grpc.StatusCode.OK


async def _until_connected(target: str, token: str) -> None:
    """The upstream's first health check has passed (one call of a spare client goes through)."""
    deadline = time.monotonic() + 10
    while await _call(target, token) != grpc.StatusCode.OK:
        assert time.monotonic() < deadline, "the engine never served"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("shared", [True, False])
async def test_a_budget_spent_on_one_replica_is_spent_on_the_other(shared: bool) -> None:
    upstream = await EchoUpstream().start()
    mint = TokenMint()
    settings = load_settings(
        upstreams=upstream.upstreams,
        token_issuer=mint.issuer,
        token_audience=mint.audience,
        rate_limits={"client": {"read": SMALL, "write": SMALL}, "agency": {"read": PLENTY, "write": PLENTY}},
    )
    ports = {"edge-a": free_port(), "edge-b": free_port()}
    peers = [f"{name}=127.0.0.1:{port}" for name, port in ports.items()] if shared else []
    caller = mint.token(["registry.citizens.read"], agency="ag-peers", subject="cl-spender")
    try:
        with (
            engine(settings, jwks=mint.jwks(), peers=peers, peer_name="edge-a" if shared else "") as a,
            engine(settings, jwks=mint.jwks(), peers=peers, peer_name="edge-b" if shared else "") as b,
        ):
            for running, spare in ((a, "cl-warm-a"), (b, "cl-warm-b")):
                await _until_connected(running.target, mint.token(["registry.citizens.read"], subject=spare))
            await asyncio.sleep(0.5)  # the replicas have connected to each other
            assert [await _call(a.target, caller) for _ in range(3)] == [grpc.StatusCode.OK] * 3
            assert await _call(a.target, caller) == grpc.StatusCode.RESOURCE_EXHAUSTED
            await asyncio.sleep(0.5)  # peers push each update at once; half a second is ample on loopback
            seen_by_b = await _call(b.target, caller)
    finally:
        await upstream.stop()
    # Shared: replica B refuses the client whose budget A spent. Not shared: B has its own, unspent budget.
    assert seen_by_b == (grpc.StatusCode.RESOURCE_EXHAUSTED if shared else grpc.StatusCode.OK)
