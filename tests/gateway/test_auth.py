"""Hostile tokens: every one is refused with UNAUTHENTICATED or PERMISSION_DENIED and never reaches the upstream.
Revocation and suspension events take effect within seconds; the contract decides, nothing else."""

import asyncio
import base64
import hashlib
import hmac
import json
import time

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from google.protobuf import timestamp_pb2

from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong_runtime.events import connect_bus, envelope
from lienthong_runtime.testing import TokenMint

from .conftest import GET_CITIZEN, GET_JWKS, READ, run_gateway

UNAUTH, DENIED = grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(header: dict, payload: dict, sign) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _claims(mint: TokenMint, **extra) -> dict:
    return jwt.decode(mint.token([READ], **extra), options={"verify_signature": False})


def _hs256_with_public_key(mint: TokenMint) -> str:
    pem = mint.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": mint.kid, "typ": "at+jwt"}
    return _forge(header, _claims(mint), lambda data: hmac.new(pem, data, hashlib.sha256).digest())


def _alg_none(mint: TokenMint) -> str:
    return _forge({"alg": "none", "kid": mint.kid}, _claims(mint), lambda data: b"")


def _tampered(mint: TokenMint) -> str:
    header, _, signature = mint.token(["registry.citizens.write"]).split(".")
    claims = _claims(mint)
    claims["scope"] = f"{READ} platform.admin"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


HOSTILE = {
    "garbage": lambda mint: "not-a-jwt",
    "three garbage parts": lambda mint: "abc.def.ghi",
    "alg none": _alg_none,
    "HS256 signed with the public key": _hs256_with_public_key,
    "expired": lambda mint: mint.token([READ], ttl=-3600),
    "not yet valid": lambda mint: mint.token([READ], nbf=int(time.time()) + 3600),
    "wrong audience": lambda mint: mint.token([READ], aud="another-platform"),
    "wrong issuer": lambda mint: mint.token([READ], iss="https://evil.example"),
    "unknown kid": lambda mint: TokenMint(issuer=mint.issuer, kid=mint.kid + "-x").token([READ]),
    "signed by another key with our kid": lambda mint: TokenMint(issuer=mint.issuer, kid=mint.kid).token(
        [READ]
    ),
    "tampered payload": _tampered,
}


async def _code(call) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value.code()


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_tokens_are_refused_before_the_upstream(name, mint, socket_dir, upstream):
    token = HOSTILE[name](mint)
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        code = await _code(gw.unary(GET_CITIZEN)(b"x", metadata=(("authorization", f"Bearer {token}"),)))
    assert code == UNAUTH
    assert sum(upstream.calls.values()) == 0


async def test_missing_token_wrong_scheme_and_missing_scope(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        call = gw.unary(GET_CITIZEN)
        assert await _code(call(b"x")) == UNAUTH
        assert await _code(call(b"x", metadata=(("authorization", f"Basic {mint.token([READ])}"),))) == UNAUTH
        assert await _code(call(b"x", metadata=mint.metadata(["registry.citizens.write"]))) == DENIED
        assert await _code(call(b"x", metadata=mint.metadata([]))) == DENIED
        assert sum(upstream.calls.values()) == 0
        assert await call(b"x", metadata=mint.metadata([READ])) == b"ok:a:x"  # the control case passes


async def test_public_methods_pass_without_a_token(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"identity": [upstream.target]}) as gw:
        assert await gw.unary(GET_JWKS)(b"") == b"ok:a:"
        assert await gw.unary(GET_JWKS)(b"", metadata=(("authorization", "Bearer garbage"),)) == b"ok:a:"


async def test_a_method_without_an_access_rule_is_refused(mint, socket_dir, upstream):
    from lienthong_gateway.routing import Route, contract_routes

    open_door = "/lienthong.registry.v1.RegistryService/NoRule"
    routes = {**contract_routes(), open_door: Route(open_door, "registry", None, False, False)}
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}, routes=routes) as gw:
        assert (
            await _code(gw.unary(open_door)(b"x", metadata=mint.metadata([READ, "platform.admin"]))) == DENIED
        )
    assert sum(upstream.calls.values()) == 0


async def _refused_within(call, metadata, seconds: float = 5.0) -> grpc.StatusCode:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            await call(b"x", metadata=metadata)
        except grpc.aio.AioRpcError as error:
            return error.code()
        await asyncio.sleep(0.05)
    raise AssertionError(f"still accepted after {seconds}s")


def _ts(seconds: float) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=int(seconds))


async def test_a_revoked_token_is_refused_within_seconds_of_the_event(mint, socket_dir, upstream):
    bus_url = f"memory://revoke-{mint.kid}"
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}, bus_url=bus_url) as gw:
        token = mint.token([READ])
        metadata = (("authorization", f"Bearer {token}"),)
        assert await gw.unary(GET_CITIZEN)(b"x", metadata=metadata) == b"ok:a:x"  # now cached as verified
        jti = jwt.decode(token, options={"verify_signature": False})["jti"]
        event = identity_events.TokenRevoked(token_id=jti, subject="s", expire_time=_ts(time.time() + 900))
        await connect_bus(bus_url).publish(envelope("identity", event, subject=jti))
        assert await _refused_within(gw.unary(GET_CITIZEN), metadata) == UNAUTH
        assert await gw.unary(GET_CITIZEN)(b"x", metadata=mint.metadata([READ])) == b"ok:a:x"  # others pass
    assert upstream.calls[GET_CITIZEN] == 2


async def test_a_suspended_agency_is_refused_and_only_new_tokens_work_after_resume(
    mint, socket_dir, upstream
):
    bus_url = f"memory://suspend-{mint.kid}"
    bus = connect_bus(bus_url)
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}, bus_url=bus_url) as gw:
        old = mint.metadata([READ], agency="agency-s", iat=int(time.time()) - 10)
        other = mint.metadata([READ], agency="agency-t")
        assert await gw.unary(GET_CITIZEN)(b"x", metadata=old) == b"ok:a:x"
        suspended = identity_events.AgencySuspended(agency_id="agency-s", suspend_time=_ts(time.time() - 5))
        await bus.publish(envelope("identity", suspended, subject="agency-s", agency_id="agency-s"))
        assert await _refused_within(gw.unary(GET_CITIZEN), old) == UNAUTH
        assert await gw.unary(GET_CITIZEN)(b"x", metadata=other) == b"ok:a:x"
        resumed = identity_events.AgencyResumed(agency_id="agency-s", resume_time=_ts(time.time() - 1))
        await bus.publish(envelope("identity", resumed, subject="agency-s", agency_id="agency-s"))
        fresh = mint.metadata([READ], agency="agency-s")
        for _ in range(100):
            try:
                assert await gw.unary(GET_CITIZEN)(b"x", metadata=fresh) == b"ok:a:x"
                break
            except grpc.aio.AioRpcError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("a token issued after the resume is still refused")
        assert await _code(gw.unary(GET_CITIZEN)(b"x", metadata=old)) == UNAUTH


async def test_key_rotation_event_refreshes_the_keys(mint, socket_dir, upstream):
    from lienthong_runtime.auth import KeySource

    new_mint = TokenMint(issuer=mint.issuer)
    published = {"keys": list(mint.jwks()["keys"])}

    async def fetch():
        return published

    keys = KeySource(fetch, min_refresh_interval=3600)  # only the event can make it refetch now
    bus_url = f"memory://rotate-{mint.kid}"
    async with run_gateway(
        mint, socket_dir, {"registry": [upstream.target]}, keys=keys, bus_url=bus_url
    ) as gw:
        assert await gw.unary(GET_CITIZEN)(b"x", metadata=mint.metadata([READ])) == b"ok:a:x"
        published["keys"] = published["keys"] + new_mint.jwks()["keys"]
        rotated = identity_events.SigningKeyRotated(current_kid=new_mint.kid)
        await connect_bus(bus_url).publish(envelope("identity", rotated, subject=new_mint.kid))
        for _ in range(100):
            if new_mint.kid in keys.kids():
                break
            await asyncio.sleep(0.05)
        assert await gw.unary(GET_CITIZEN)(b"x", metadata=new_mint.metadata([READ])) == b"ok:a:x"


@pytest.mark.parametrize("kind", ["ClientDisabled", "SessionsRevoked"])
async def test_disabled_clients_and_revoked_sessions_are_refused(kind, mint, socket_dir, upstream):
    bus_url = f"memory://{kind}-{mint.kid}"
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}, bus_url=bus_url) as gw:
        metadata = mint.metadata([READ], subject="client-7", iat=int(time.time()) - 60)
        assert await gw.unary(GET_CITIZEN)(b"x", metadata=metadata) == b"ok:a:x"
        if kind == "ClientDisabled":
            event = identity_events.ClientDisabled(client_id="client-7", agency_id="agency-test")
        else:
            event = identity_events.SessionsRevoked(subject="client-7", revoke_before=_ts(time.time() - 1))
        await connect_bus(bus_url).publish(envelope("identity", event, subject="client-7"))
        assert await _refused_within(gw.unary(GET_CITIZEN), metadata) == UNAUTH
    assert upstream.calls[GET_CITIZEN] == 1


async def test_unreachable_jwks_is_unavailable_not_internal(mint, socket_dir, upstream):
    from lienthong_runtime.auth import KeySource

    async def fetch():
        raise OSError("identity is down")

    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}, keys=KeySource(fetch)) as gw:
        assert (
            await _code(gw.unary(GET_CITIZEN)(b"x", metadata=mint.metadata([READ])))
            == grpc.StatusCode.UNAVAILABLE
        )
    assert sum(upstream.calls.values()) == 0
