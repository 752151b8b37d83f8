"""What every hostile test needs: one protected call per door, status of a call, token forgery helpers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc
from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc

from .platforms import Target

Call = Callable[[grpc.aio.Channel, tuple[tuple[str, str], ...]], Awaitable[Any]]

#: One protected method per building block (the scope it needs): the probe of every door.
PROBES: dict[str, tuple[str, Call]] = {
    "identity": (
        "identity.clients.admin",
        lambda ch, md: identity_pb2_grpc.IdentityServiceStub(ch).ListClients(
            identity_pb2.ListClientsRequest(), metadata=md, timeout=15
        ),
    ),
    "registry": (
        "registry.access_log.audit",
        lambda ch, md: registry_pb2_grpc.RegistryServiceStub(ch).ListAccessLog(
            registry_pb2.ListAccessLogRequest(), metadata=md, timeout=15
        ),
    ),
    "payment": (
        "payment.payments.read",
        lambda ch, md: payment_pb2_grpc.PaymentServiceStub(ch).SearchPayments(
            payment_pb2.SearchPaymentsRequest(), metadata=md, timeout=15
        ),
    ),
    "notify": (
        "notify.messages.read",
        lambda ch, md: notify_pb2_grpc.NotifyServiceStub(ch).ListNotifications(
            notify_pb2.ListNotificationsRequest(), metadata=md, timeout=15
        ),
    ),
}


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def status(call: Awaitable[Any]) -> grpc.StatusCode:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def doors(target: Target) -> list[tuple[str, str, str]]:
    """(door, address, block) for every probe: each block through the gateway and on its own port."""
    out = [(f"gateway→{block}", target.gateway, block) for block in PROBES]
    out += [(block, target.services[block], block) for block in PROBES]
    return out


async def probe(target: Target, address: str, block: str, token: str | None) -> grpc.StatusCode:
    metadata = bearer(token) if token is not None else ()
    async with target.channel(address) as channel:
        return await status(PROBES[block][1](channel, metadata))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


def reassemble(header: dict[str, Any], payload: dict[str, Any], signature: str) -> str:
    encode = lambda d: _b64(json.dumps(d, separators=(",", ":")).encode())  # noqa: E731
    return f"{encode(header)}.{encode(payload)}.{signature}"


def forgeries(real: str, jwks_json: str, jku: str) -> dict[str, str]:
    """Tokens an attacker can make from a real one and the public JWKS: none of them may pass anywhere."""
    header, claims, signature = parts(real)
    everything = {**claims, "scope": " ".join(scope for scope, _ in PROBES.values()) + " platform.admin"}
    own_key = Ed25519PrivateKey.generate()
    # PyJWT refuses an HMAC secret that looks like a key; sign by hand, as an attacker would.
    hs_header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": header["kid"]}).encode())
    hs_body = _b64(json.dumps(everything).encode())
    hs_mac = _b64(hmac.new(jwks_json.encode(), f"{hs_header}.{hs_body}".encode(), hashlib.sha256).digest())
    return {
        "garbage": "not-a-jwt",
        "alg none": reassemble({"alg": "none", "typ": "JWT", "kid": header["kid"]}, everything, ""),
        "HS256 with the public JWKS as secret": f"{hs_header}.{hs_body}.{hs_mac}",
        "own key under the platform's kid": jwt.encode(
            everything, own_key, algorithm="EdDSA", headers={"kid": header["kid"]}
        ),
        "own key announced by jku": jwt.encode(
            everything, own_key, algorithm="EdDSA", headers={"kid": "attacker", "jku": jku, "x5u": jku}
        ),
        "payload widened, signature kept": reassemble(header, everything, signature),
        "signature stripped": reassemble(header, claims, ""),
        "expired claims re-used": reassemble(header, {**claims, "exp": 1, "iat": 0}, signature),
        "other audience": reassemble(header, {**claims, "aud": "another-platform"}, signature),
        "other agency": reassemble(
            header, {**claims, "agency_id": "ag_other", "agency": "ag_other"}, signature
        ),
    }
