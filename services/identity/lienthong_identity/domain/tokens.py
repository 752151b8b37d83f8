"""Access-token claims and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

REFRESH_PREFIX = "ltr_"
#: Path of the HTTP token endpoint under the issuer URL (an accepted ``aud`` of RFC 7523 client assertions).
TOKEN_ENDPOINT_PATH = "/oauth2/token"


def access_claims(
    *,
    issuer: str,
    audience: str,
    subject: str,
    agency_id: str,
    client_id: str,
    scopes: Iterable[str],
    kind: str,
    now: int,
    ttl: int,
    **extra: Any,
) -> dict[str, Any]:
    """The claims of an access token (RFC 9068 shape). ``agency`` is what the runtime's verifier reads;
    ``agency_id`` is the name the v1 contract documents: both carry the same value."""
    return {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "agency": agency_id,
        "agency_id": agency_id,
        "client_id": client_id,
        "scope": " ".join(sorted(scopes)),
        "kind": kind,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + ttl,
        **extra,
    }


def new_refresh_token() -> str:
    """An opaque refresh token with 256 bits of entropy."""
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> bytes:
    """What is stored of a refresh token. A plain SHA-256 suffices: the token has 256 random bits."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def looks_like_refresh_token(token: str) -> bool:
    return token.startswith(REFRESH_PREFIX)
