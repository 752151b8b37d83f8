"""The engine remembers a token (by SHA-256 of the whole token) once it passed every check that depends only on its
bytes (form, header, signature, required claims, issuer, audience) and skips those on its next calls; what depends
on the clock, identity's events or the method still runs on every call: a forged token, or a well-signed one of
another issuer or audience, is refused every time and never remembered; a remembered token is still refused for a
method whose scope it lacks, and once revoked."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from lienthong_edge.config import EdgeSettings
from lienthong_edge.process import engine
from lienthong_edge.render import render
from lienthong_edge.runtime_api import RuntimeApi, command
from lienthong_gateway.bootstrap import load_settings
from lienthong_gateway.routing import contract_routes
from lienthong_runtime.testing import TokenMint
from tests.frontdoor.conftest import EchoUpstream

GET_CITIZEN = "/lienthong.registry.v1.RegistryService/GetCitizen"
CREATE_CITIZEN = "/lienthong.registry.v1.RegistryService/CreateCitizen"


async def _entries(admin_socket: str) -> int:
    """Entries of the verified-token table (``show table`` prints one line per entry after its header)."""
    text = await command(admin_socket, "show table st_verified")
    return sum(1 for line in text.splitlines() if line.startswith("0x"))


async def _refusal(call: grpc.aio.UnaryUnaryMultiCallable, token: str) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call(b"x", metadata=(("authorization", f"Bearer {token}"),), timeout=5)
    return refused.value.code(), refused.value.details() or ""


async def test_a_verified_token_is_remembered_and_every_other_check_still_runs() -> None:
    upstream = await EchoUpstream().start()
    mint = TokenMint()
    settings = load_settings(
        upstreams=upstream.upstreams, token_issuer=mint.issuer, token_audience=mint.audience
    )
    token = mint.token(["registry.citizens.read"], agency="ag-cache", jti="jti-cache")
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[:-4]}{'AAAA' if not signature.endswith('AAAA') else 'BBBB'}"
    # The same header and claims signed by another key that claims the engine's kid.
    impostor = TokenMint(kid=mint.kid).token(["registry.citizens.read"], agency="ag-cache")
    try:
        with engine(settings, jwks=mint.jwks()) as running:
            admin = running.edge.admin_socket
            async with grpc.aio.insecure_channel(running.target) as channel:
                call = channel.unary_unary(GET_CITIZEN)
                for _ in range(3):
                    assert (
                        await call(b"x", metadata=(("authorization", f"Bearer {token}"),), timeout=5)
                        == b"ok:x"
                    )
                assert await _entries(admin) == 1
                for bad in (forged, forged, impostor, impostor):
                    assert await _refusal(call, bad) == (
                        grpc.StatusCode.UNAUTHENTICATED,
                        "the token's signature is invalid",
                    )
                assert await _entries(admin) == 1  # a signature that failed is never remembered
                # Well signed but for another issuer or audience: refused every time, never remembered.
                for bad, message in (
                    (
                        mint.token(["registry.citizens.read"], iss="https://evil.example"),
                        "from another issuer",
                    ),
                    (mint.token(["registry.citizens.read"], aud="another-platform"), "for another audience"),
                ):
                    for _ in range(2):
                        code, details = await _refusal(call, bad)
                        assert code == grpc.StatusCode.UNAUTHENTICATED and message in details
                assert await _entries(admin) == 1
                # The remembered token's scopes are still matched against each method, on every call.
                write = channel.unary_unary(CREATE_CITIZEN)
                assert await _refusal(write, token) == (
                    grpc.StatusCode.PERMISSION_DENIED,
                    "the token lacks a scope this method requires",
                )
                revoked = str(running.state.map_path("revoked"))
                await RuntimeApi(admin).put(revoked, "jti-cache", "9999999999")
                assert await _refusal(call, token) == (
                    grpc.StatusCode.UNAUTHENTICATED,
                    "the token has been revoked",
                )
    finally:
        await upstream.stop()


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    edge = EdgeSettings(config_dir=str(tmp_path / "c"), state_dir=str(tmp_path / "s"), verify_cache_s=0)
    config = render(load_settings(), edge, contract_routes())["haproxy.cfg"]
    assert "st_verified" not in config and "sha2(256)" not in config
    assert config.count("jwt_verify(") == edge.key_slots


def test_a_remembered_token_skips_only_the_checks_on_its_bytes(tmp_path: Path) -> None:
    edge = EdgeSettings(config_dir=str(tmp_path / "c"), state_dir=str(tmp_path / "s"))
    config = render(load_settings(), edge, contract_routes())["haproxy.cfg"]
    refusals = [line for line in config.splitlines() if "set-var(txn.why) str(" in line]
    skipped = {line.split("str(", 1)[1].split(")", 1)[0] for line in refusals if "!known" in line}
    assert skipped == {
        "scheme", "malformed", "alg", "typ", "no_kid", "kid", "signature", "invalid", "issuer", "audience"
    }  # fmt: skip
    per_call = {line.split("str(", 1)[1].split(")", 1)[0] for line in refusals if "!known" not in line}
    assert {
        "not_yet",
        "expired",
        "revoked",
        "suspended",
        "disabled",
        "predates",
        "sessions",
        "scope",
    } <= per_call
    assert any("str(rl_" in line and "!known" not in line for line in refusals)
    # Remembered only once every check on its bytes passed: the insert comes after the last of them.
    lines = config.splitlines()
    insert = next(i for i, line in enumerate(lines) if "track-sc2" in line)
    assert insert > max(
        i for i, line in enumerate(lines) if "str(audience)" in line or "str(invalid)" in line
    )
