"""One conformance suite, two front doors: every case runs against the Python gateway and the HAProxy engine,
and the refusals of both carry the same ``google.rpc.Status`` (code, message, ``ErrorInfo``, ``RetryInfo``)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from google.protobuf import timestamp_pb2
from google.rpc import error_details_pb2, status_pb2

from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong_gateway.routing import contract_routes
from lienthong_runtime.testing import TokenMint

from .conftest import Door, open_door

GET_CITIZEN = "/lienthong.registry.v1.RegistryService/GetCitizen"
CREATE_CITIZEN = "/lienthong.registry.v1.RegistryService/CreateCitizen"
GET_JWKS = "/lienthong.identity.v1.IdentityService/GetJwks"
READ = "registry.citizens.read"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(header: dict, payload: dict, sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _claims(mint: TokenMint, **extra: Any) -> dict:
    return jwt.decode(mint.token([READ], **extra), options={"verify_signature": False})


def _hs256_with_public_key(mint: TokenMint) -> str:
    pem = mint.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": mint.kid, "typ": "at+jwt"}
    return _forge(header, _claims(mint), lambda data: hmac.new(pem, data, hashlib.sha256).digest())


def _tampered(mint: TokenMint) -> str:
    header, _, signature = mint.token(["registry.citizens.write"]).split(".")
    return f"{header}.{_b64(json.dumps(_claims(mint)).encode())}.{signature}"


def _without_jti(mint: TokenMint) -> str:
    payload = {k: v for k, v in _claims(mint).items() if k != "jti"}
    return jwt.encode(payload, mint.key, algorithm="ES256", headers={"kid": mint.kid, "typ": "at+jwt"})


def _resigned(mint: TokenMint, header: dict, **claims: Any) -> str:
    payload = {**_claims(mint), **claims}
    return jwt.encode(payload, mint.key, algorithm="ES256", headers=header)


#: Case -> (authorization header for GetCitizen, expected code, expected ErrorInfo reason).
CASES: dict[str, tuple[Callable[[TokenMint], str | None], grpc.StatusCode, str]] = {
    "no token": (lambda m: None, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING"),
    "not bearer": (lambda m: "Basic dXNlcjpwYXNz", grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MALFORMED"),
    "garbage": (lambda m: "Bearer not-a-jwt", grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MALFORMED"),
    "alg none": (
        lambda m: (
            "Bearer " + _forge({"alg": "none", "kid": m.kid, "typ": "at+jwt"}, _claims(m), lambda d: b"")
        ),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_ALGORITHM_REJECTED",
    ),
    "HS256 signed with the public key": (
        lambda m: "Bearer " + _hs256_with_public_key(m),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_ALGORITHM_REJECTED",
    ),
    "not an access token": (
        lambda m: "Bearer " + _resigned(m, {"kid": m.kid, "typ": "JWT"}),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_TYPE_INVALID",
    ),
    "no kid": (
        lambda m: "Bearer " + _resigned(m, {"typ": "at+jwt"}),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_KEY_UNKNOWN",
    ),
    "unknown kid": (
        lambda m: "Bearer " + TokenMint(issuer=m.issuer, audience=m.audience).token([READ]),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_KEY_UNKNOWN",
    ),
    "tampered claims": (
        lambda m: "Bearer " + _tampered(m),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_SIGNATURE_INVALID",
    ),
    "expired": (
        lambda m: "Bearer " + m.token([READ], ttl=-120),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_EXPIRED",
    ),
    "not yet valid": (
        lambda m: "Bearer " + m.token([READ], nbf=int(time.time()) + 600),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_NOT_YET_VALID",
    ),
    "wrong audience": (
        lambda m: "Bearer " + m.token([READ], aud="another-platform"),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_AUDIENCE_INVALID",
    ),
    "wrong issuer": (
        lambda m: "Bearer " + m.token([READ], iss="https://evil.example"),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_ISSUER_INVALID",
    ),
    "no jti": (
        lambda m: "Bearer " + _without_jti(m),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_INVALID",
    ),
    "a scope missing": (
        lambda m: "Bearer " + m.token(["registry.citizens.write"]),
        grpc.StatusCode.PERMISSION_DENIED,
        "SCOPE_MISSING",
    ),
    "a scope only as part of a word": (
        lambda m: "Bearer " + m.token([READ + "x", "x" + READ, READ + ".all"]),
        grpc.StatusCode.PERMISSION_DENIED,
        "SCOPE_MISSING",
    ),
}


def _details(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw, f"no grpc-status-details-bin in {error}"
    return status_pb2.Status.FromString(raw)


def _info(status: status_pb2.Status) -> error_details_pb2.ErrorInfo:
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info


async def _refusal(door: Door, authorization: str | None, method: str = GET_CITIZEN) -> grpc.aio.AioRpcError:
    metadata = [("x-request-id", "conformance-1")]
    if authorization is not None:
        metadata.append(("authorization", authorization))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await door.call(method, metadata=metadata)
    return refused.value


@pytest.mark.parametrize("case", list(CASES))
async def test_refused_with_the_contracts_reason(door: Door, mint: TokenMint, case: str) -> None:
    make, code, reason = CASES[case]
    error = await _refusal(door, make(mint))
    assert error.code() == code, (door.kind, error.details())
    status = _details(error)
    assert status.code == code.value[0]
    info = _info(status)
    assert (info.reason, info.domain) == (reason, "lienthong.vn")
    assert info.metadata["request_id"] == "conformance-1"
    if reason == "SCOPE_MISSING":
        assert info.metadata["missing_scopes"] == READ
    assert door.upstream.calls == 0  # nothing refused reaches a service


IMPORT_EDXML = "/lienthong.documents.v1.DocumentsService/ImportEdxml"  # needs two scopes


@pytest.mark.parametrize(
    ("scopes", "missing"),
    [
        ([READ], "documents.exchange documents.send"),
        (["documents.send"], "documents.exchange"),
        (["documents.exchange", READ], "documents.send"),
    ],
)
async def test_a_method_of_two_scopes_reports_each_missing_one(
    door: Door, mint: TokenMint, scopes: list[str], missing: str
) -> None:
    error = await _refusal(door, "Bearer " + mint.token(scopes), IMPORT_EDXML)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, (door.kind, error.details())
    info = _info(_details(error))
    assert (info.reason, info.metadata["missing_scopes"]) == ("SCOPE_MISSING", missing)
    assert door.upstream.calls == 0


@pytest.mark.parametrize(
    "scopes",
    [
        [READ + "only"],
        ["x" + READ],
        [READ + ".all"],
        ["registry.citizens"],
        ["registry.citizens.rea", "d"],
        [f"{READ}x {READ[:-1]}"],
        [],
    ],
    ids=["suffixed", "prefixed", "a longer scope", "a shorter one", "split in two", "near misses", "none"],
)
async def test_a_scope_that_only_contains_the_needed_one_is_refused(
    door: Door, mint: TokenMint, scopes: list[str]
) -> None:
    error = await _refusal(door, "Bearer " + mint.token(scopes))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, (door.kind, error.details())
    info = _info(_details(error))
    assert (info.reason, info.metadata["missing_scopes"]) == ("SCOPE_MISSING", READ)
    assert door.upstream.calls == 0


@pytest.mark.parametrize(
    ("method", "scopes"),
    [
        (GET_CITIZEN, [READ]),
        (GET_CITIZEN, [READ, "other.scope", "more.scope"]),
        (GET_CITIZEN, ["other.scope", READ, "more.scope"]),
        (GET_CITIZEN, ["other.scope", "more.scope", READ]),
        (GET_CITIZEN, [READ + "only", "x" + READ, READ]),  # near misses before the word itself
        (GET_CITIZEN, ["", "other.scope", "", READ]),  # runs of spaces between the words
        (IMPORT_EDXML, ["documents.send", READ, "documents.exchange"]),
        (IMPORT_EDXML, ["documents.exchange", "documents.send"]),
    ],
    ids=[
        "alone",
        "first",
        "middle",
        "last",
        "after near misses",
        "extra spaces",
        "two, apart",
        "two, together",
    ],
)
async def test_the_needed_scopes_pass_at_any_place_in_the_claim(
    door: Door, mint: TokenMint, method: str, scopes: list[str]
) -> None:
    assert await door.call(method, b"w", mint.metadata(scopes)) == b"ok:w"
    assert door.upstream.calls == 1


def _one_method_of_one_scope_per_block() -> list[tuple[str, str]]:
    """(method, its scope): the first method of each building block whose rule needs exactly one scope, from the
    contract, so a block added to the contract (dossiers, documents...) is in this check without editing it."""
    picked: dict[str, tuple[str, str]] = {}
    for path, route in sorted(contract_routes().items()):
        rule = route.rule
        if rule is not None and not rule.public and len(rule.scopes) == 1:
            picked.setdefault(route.block, (path, next(iter(rule.scopes))))
    return [picked[block] for block in sorted(picked)]


BLOCK_METHODS = _one_method_of_one_scope_per_block()


@pytest.mark.parametrize(("method", "scope"), BLOCK_METHODS, ids=[m.split("/")[1] for m, _ in BLOCK_METHODS])
async def test_every_block_admits_its_scope_and_refuses_without_it(
    door: Door, mint: TokenMint, method: str, scope: str
) -> None:
    error = await _refusal(door, "Bearer " + mint.token([READ if scope != READ else "other.scope"]), method)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, (door.kind, method, error.details())
    info = _info(_details(error))
    assert (info.reason, info.metadata["missing_scopes"]) == ("SCOPE_MISSING", scope)
    assert door.upstream.calls == 0
    assert await door.call(method, b"b", mint.metadata([scope])) == b"ok:b"
    assert door.upstream.calls == 1


async def test_valid_token_passes_and_public_methods_need_none(door: Door, mint: TokenMint) -> None:
    ok = await door.call(GET_CITIZEN, b"hello", mint.metadata([READ, "other.scope"]))
    assert ok == b"ok:hello"
    lowercase = [("authorization", "bearer " + mint.token([READ]))]  # the scheme is case-insensitive
    assert await door.call(GET_CITIZEN, b"again", lowercase) == b"ok:again"
    assert await door.call(GET_JWKS) == b"ok:x"
    assert await door.call(GET_JWKS, metadata=[("authorization", "Bearer garbage")]) == b"ok:x"
    assert await door.call(GET_JWKS, metadata=mint.metadata([], ttl=-500)) == b"ok:x"
    seen = door.upstream.metadata[0]
    assert seen["x-request-id"] and seen["authorization"].startswith("Bearer ")


async def test_unknown_method_is_unimplemented(door: Door, mint: TokenMint) -> None:
    error = await _refusal(
        door, "Bearer " + mint.token([READ]), "/lienthong.registry.v1.RegistryService/Nope"
    )
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    assert door.upstream.calls == 0


def _ts(seconds: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromSeconds(int(seconds))
    return stamp


async def _refused_soon(door: Door, metadata: Any, reason: str, within: float = 2.0) -> float:
    """Seconds until a call with ``metadata`` is refused with ``reason`` (fails after ``within``)."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        try:
            await door.call(GET_CITIZEN, metadata=metadata)
        except grpc.aio.AioRpcError as error:
            assert _info(_details(error)).reason == reason
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise AssertionError(f"{door.kind}: not refused with {reason} within {within} s")


async def test_identity_events_take_effect(door: Door, mint: TokenMint) -> None:
    revoked = mint.token([READ], agency="ag-r", subject="cl-r")
    await door.call(GET_CITIZEN, metadata=[("authorization", f"Bearer {revoked}")])
    jti = jwt.decode(revoked, options={"verify_signature": False})["jti"]
    await door.publish(identity_events.TokenRevoked(token_id=jti, expire_time=_ts(time.time() + 900)))
    await _refused_soon(door, [("authorization", f"Bearer {revoked}")], "TOKEN_REVOKED")

    suspended = mint.metadata([READ], agency="ag-s")
    await door.call(GET_CITIZEN, metadata=suspended)
    await door.publish(identity_events.AgencySuspended(agency_id="ag-s"))
    await _refused_soon(door, suspended, "AGENCY_SUSPENDED")
    await door.publish(identity_events.AgencyResumed(agency_id="ag-s", resume_time=_ts(time.time() + 1)))
    await _refused_soon(door, suspended, "AGENCY_SUSPENDED")  # issued before the resumption: still refused
    fresh = mint.metadata([READ], agency="ag-s", iat=int(time.time()) + 2)
    for _ in range(100):  # the resumption reaches the door within a moment
        try:
            assert await door.call(GET_CITIZEN, metadata=fresh) == b"ok:x"
            break
        except grpc.aio.AioRpcError:
            await asyncio.sleep(0.02)
    else:
        raise AssertionError("a token issued after the resumption stays refused")

    disabled = mint.metadata([READ], agency="ag-d", subject="cl-d")
    await door.publish(identity_events.ClientDisabled(client_id="cl-d"))
    await _refused_soon(door, disabled, "CLIENT_DISABLED")

    citizen = mint.metadata([READ], kind="citizen", subject="citizen:abc")
    await door.publish(
        identity_events.SessionsRevoked(subject="citizen:abc", revoke_before=_ts(time.time() + 1))
    )
    await _refused_soon(door, citizen, "TOKEN_REVOKED")


async def test_rate_limits_per_client_then_agency(mint: TokenMint, short_dir: str) -> None:
    budget = {"rate": 1, "burst": 3}
    plenty = {"rate": 1e6, "burst": 1e6}
    limits = {
        "client": {"read": budget, "write": plenty},
        "agency": {"read": {"rate": 1, "burst": 5}, "write": plenty},
    }
    for kind in ("gateway", "engine"):
        async with open_door(kind, mint, f"{short_dir}/{kind}", rate_limits=limits) as door:
            first = mint.metadata([READ], agency="ag-l", subject="cl-1")
            for _ in range(3):
                await door.call(GET_CITIZEN, metadata=first)
            error = await _refusal(door, first[0][1])
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, kind
            status = _details(error)
            info = _info(status)
            assert (info.reason, info.metadata["limit"]) == ("RATE_LIMITED", "client"), kind
            retry = error_details_pb2.RetryInfo()
            assert status.details[1].Unpack(retry)
            assert 0 < retry.retry_delay.ToTimedelta().total_seconds() <= 1.0
            second = mint.metadata([READ], agency="ag-l", subject="cl-2")
            await door.call(GET_CITIZEN, metadata=second)
            await door.call(GET_CITIZEN, metadata=second)  # the agency's 5 are spent now
            error = await _refusal(door, second[0][1])
            assert _info(_details(error)).metadata["limit"] == "agency", kind


def _canonical(raw: bytes) -> bytes:
    """The status re-serialised deterministically (map entries sorted), so two encoders can be compared."""
    status = status_pb2.Status.FromString(raw)
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            detail.value = info.SerializeToString(deterministic=True)
    return status.SerializeToString(deterministic=True)


async def test_both_doors_send_the_same_status_bytes(mint: TokenMint, short_dir: str) -> None:
    """For every refusal, the engine's ``grpc-status-details-bin`` equals the gateway's: byte for byte where the
    gateway's encoding is deterministic (one metadata entry), and after sorting map entries otherwise."""
    tokens = {case: make(mint) for case, (make, _, _) in CASES.items()}
    answers: dict[str, dict[str, grpc.aio.AioRpcError]] = {}
    for kind in ("gateway", "engine"):
        async with open_door(kind, mint, f"{short_dir}/{kind}") as door:
            answers[kind] = {case: await _refusal(door, token) for case, token in tokens.items()}
    for case in CASES:
        gateway, engine = answers["gateway"][case], answers["engine"][case]
        assert (engine.code(), engine.details()) == (gateway.code(), gateway.details()), case
        ours = dict(gateway.trailing_metadata() or ())["grpc-status-details-bin"]
        theirs = dict(engine.trailing_metadata() or ())["grpc-status-details-bin"]
        assert _canonical(theirs) == _canonical(ours), case
        if len(_info(status_pb2.Status.FromString(ours)).metadata) == 1:
            assert theirs == ours, case
