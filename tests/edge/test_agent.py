"""``lienthong edge agent``: identity's events reach the running engine without a reload (maps through the runtime
API), new signing keys through a hitless reload, and the state survives a restart."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import grpc
import jwt
import pytest
from google.protobuf import timestamp_pb2

from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong_edge.agent import Agent, EngineKeys, EngineRevocations
from lienthong_edge.cli import register
from lienthong_edge.process import engine
from lienthong_edge.runtime_api import RuntimeApi
from lienthong_gateway.bootstrap import load_settings
from lienthong_runtime.events import envelope
from lienthong_runtime.memory_bus import MemoryBus
from lienthong_runtime.testing import TokenMint
from tests.frontdoor.conftest import EchoUpstream

GET_CITIZEN = "/lienthong.registry.v1.RegistryService/GetCitizen"
READ = "registry.citizens.read"


@pytest.fixture
def folder() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="ltedge-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _stamp(seconds: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromSeconds(int(seconds))
    return stamp


async def _call(channel: grpc.aio.Channel, token: str) -> str:
    """``OK`` or the refusal's reason."""
    try:
        await channel.unary_unary(GET_CITIZEN)(
            b"x", metadata=(("authorization", f"Bearer {token}"),), timeout=5
        )
        return "OK"
    except grpc.aio.AioRpcError as error:
        from google.rpc import error_details_pb2, status_pb2

        raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
        if not raw:
            return error.code().name
        info = error_details_pb2.ErrorInfo()
        status_pb2.Status.FromString(raw).details[0].Unpack(info)
        return info.reason


async def test_revocation_reaches_the_engine_within_two_seconds(folder: str) -> None:
    upstream = await EchoUpstream().start()
    mint = TokenMint()
    settings = load_settings(
        upstreams=upstream.upstreams, token_issuer=mint.issuer, token_audience=mint.audience
    )
    bus = MemoryBus()
    try:
        with engine(settings, jwks=mint.jwks(), folder=f"{folder}/e") as running:
            api = RuntimeApi(running.edge.admin_socket, running.edge.master_socket)

            async def fetch() -> Any:
                return mint.jwks()

            agent = Agent(EngineRevocations(running.state, api), EngineKeys(fetch, running.state, api))
            await agent.subscribe(bus, "edge-agent")
            token = mint.token([READ])
            async with grpc.aio.insecure_channel(running.target) as channel:
                for _ in range(50):
                    if await _call(channel, token) == "OK":
                        break
                    await asyncio.sleep(0.1)
                jti = jwt.decode(token, options={"verify_signature": False})["jti"]
                started = time.monotonic()
                await bus.publish(
                    envelope(
                        "identity",
                        identity_events.TokenRevoked(token_id=jti, expire_time=_stamp(time.time() + 900)),
                    )
                )
                while await _call(channel, token) == "OK":
                    assert time.monotonic() - started < 2.0, "still admitted 2 s after the revocation"
                    await asyncio.sleep(0.005)
                elapsed = time.monotonic() - started
                assert await _call(channel, token) == "TOKEN_REVOKED"
                print(f"\nrevocation -> first refusal at the engine: {elapsed * 1000:.1f} ms")
            assert jti in running.state.read("revoked")  # kept for a reload or a restart
        # A restarted engine reads the agent's maps: the token stays refused.
        with engine(settings, jwks=mint.jwks(), folder=f"{folder}/e") as again:
            async with grpc.aio.insecure_channel(again.target) as channel:
                assert await _call(channel, token) == "TOKEN_REVOKED"
    finally:
        await upstream.stop()


async def test_key_rotation_is_a_hitless_reload(folder: str) -> None:
    upstream = await EchoUpstream().start()
    first, second = TokenMint(), TokenMint()
    published = {"keys": first.jwks()["keys"]}
    settings = load_settings(
        upstreams=upstream.upstreams, token_issuer=first.issuer, token_audience=first.audience
    )
    bus = MemoryBus()
    try:
        with engine(settings, jwks=published, folder=f"{folder}/e") as running:
            api = RuntimeApi(running.edge.admin_socket, running.edge.master_socket)

            async def fetch() -> Any:
                return published

            agent = Agent(EngineRevocations(running.state, api), EngineKeys(fetch, running.state, api))
            await agent.subscribe(bus, "edge-agent")
            old, new = first.token([READ]), second.token([READ])
            async with grpc.aio.insecure_channel(running.target) as channel:
                for _ in range(50):
                    if await _call(channel, old) == "OK":
                        break
                    await asyncio.sleep(0.1)
                assert await _call(channel, new) == "TOKEN_KEY_UNKNOWN"
                published["keys"] = first.jwks()["keys"] + second.jwks()["keys"]  # identity rotated
                await bus.publish(
                    envelope(
                        "identity",
                        identity_events.SigningKeyRotated(current_kid=first.kid, next_kid=second.kid),
                    )
                )
                started, failures = time.monotonic(), 0
                while await _call(channel, new) != "OK":  # calls keep flowing while the workers change
                    assert time.monotonic() - started < 5.0, "the new key never reached the engine"
                    failures += await _call(channel, old) != "OK"
                    await asyncio.sleep(0.02)
                assert failures == 0
                assert await _call(channel, old) == "OK"  # the previous key stays until identity drops it
                print(f"\nkey rotation -> new kid accepted after {time.monotonic() - started:.2f} s")
    finally:
        await upstream.stop()


def test_agent_once_prepares_the_state_without_identity(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    monkeypatch.setenv("LIENTHONG_EDGE_STATE_DIR", f"{folder}/state")
    monkeypatch.setenv("LIENTHONG_EDGE_JWKS_URL", "grpc://127.0.0.1:9")  # nothing listens: keys come later
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["edge", "agent", "--once"])
    assert args.func(args) == 0
    names = sorted(p.name for p in __import__("pathlib").Path(folder, "state").rglob("*") if p.is_file())
    assert names == sorted(
        [
            "agency_not_before.map",
            "disabled.map",
            "kids.map",
            "revoked.map",
            "sessions_not_before.map",
            "suspended.map",
            "slot0.pem",
            "slot1.pem",
            "slot2.pem",
            "slot3.pem",
        ]
    )
