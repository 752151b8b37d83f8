"""RFC 7523 client assertions (private_key_jwt): registered public keys and the checks on an assertion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jwt

from lienthong_runtime.errors import Unauthenticated, invalid

from .clients import ClientKey

#: The JWK shapes accepted for client keys, with their JWS algorithm.
ACCEPTED = {("OKP", "Ed25519"): "EdDSA", ("EC", "P-256"): "ES256"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}
#: Default ceiling of an assertion's ``exp`` (seconds ahead). One hour, as common OAuth servers allow and as
#: common client libraries sign by default (authlib: 3600 s); ``jti`` is single use whatever the lifetime.
MAX_ASSERTION_LIFETIME = 3600
LEEWAY = 30


def parse_public_jwk(text: str) -> tuple[str, str, dict[str, Any]]:
    """(key id, algorithm, JWK) of a registrable public key, or INVALID_ARGUMENT."""
    try:
        jwk = json.loads(text)
    except ValueError:
        raise invalid("public_jwk", "is not a JSON object", reason="CLIENT_KEY_INVALID") from None
    if not isinstance(jwk, dict):
        raise invalid("public_jwk", "is not a JSON object", reason="CLIENT_KEY_INVALID")
    if PRIVATE_MEMBERS & set(jwk):
        raise invalid("public_jwk", "contains private key material", reason="CLIENT_KEY_PRIVATE")
    algorithm = ACCEPTED.get((jwk.get("kty", ""), jwk.get("crv", "")))
    kid = jwk.get("kid")
    if algorithm is None:
        raise invalid("public_jwk", "must be an OKP Ed25519 or EC P-256 key", reason="CLIENT_KEY_INVALID")
    if not isinstance(kid, str) or not 1 <= len(kid) <= 200:
        raise invalid("public_jwk", "needs a kid of 1 to 200 characters", reason="CLIENT_KEY_INVALID")
    try:
        jwt.PyJWK(jwk, algorithm)
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
        raise invalid("public_jwk", "is not a valid public key", reason="CLIENT_KEY_INVALID") from None
    public = {k: v for k, v in jwk.items() if k in {"kty", "crv", "x", "y", "kid"}}
    return kid, algorithm, public


@dataclass(frozen=True)
class VerifiedAssertion:
    jti: str
    expires_at: float


def _refuse(reason: str = "INVALID_CLIENT") -> Unauthenticated:
    return Unauthenticated("client authentication failed", reason=reason)


def verify_assertion(
    assertion: str,
    client_id: str,
    keys: tuple[ClientKey, ...],
    audiences: list[str],
    now: float,
    max_lifetime: float = MAX_ASSERTION_LIFETIME,
) -> VerifiedAssertion:
    """Check signature (by the registered key named in ``kid``), iss = sub = client id, aud, exp, jti.

    The caller must still record the ``jti`` as used (single use)."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise _refuse() from None
    key = next((k for k in keys if k.key_id == header.get("kid")), None)
    if key is None or header.get("alg") != key.algorithm:
        raise _refuse()
    try:
        claims = jwt.decode(
            assertion,
            jwt.PyJWK(json.loads(key.public_jwk), key.algorithm).key,
            algorithms=[key.algorithm],
            audience=audiences,
            issuer=client_id,
            leeway=LEEWAY,
            options={"require": ["iss", "sub", "aud", "exp", "jti"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        raise _refuse("ASSERTION_EXPIRED") from None
    except jwt.PyJWTError:
        raise _refuse() from None
    if claims.get("sub") != client_id or not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise _refuse()
    expires = float(claims["exp"])
    if expires > now + max_lifetime + LEEWAY:
        raise _refuse("ASSERTION_LIFETIME_TOO_LONG")
    return VerifiedAssertion(jti=claims["jti"][:200], expires_at=expires)
