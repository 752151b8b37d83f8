"""Identity's published keys as the engine needs them: one PEM public key per ``kid``.

HAProxy 2.6's ``jwt_verify`` knows ES256 but not EdDSA, so only P-256 keys are written; a token signed by an
EdDSA key is refused by the engine's algorithm allow-list (deployments with the engine sign ES256, identity's
default). Identity publishes its current, next and recently retired keys, so a rotation never meets an unknown
``kid`` here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

#: The only algorithm the engine verifies.
ENGINE_ALGORITHMS = ("ES256",)
_KID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    algorithm: str
    pem: str

    @property
    def filename(self) -> str:
        return f"{self.kid}.pem"


def engine_keys(jwks: Mapping[str, Any]) -> list[VerificationKey]:
    """The JWKS's signing keys the engine can verify, sorted by ``kid``.

    Keys whose ``kid`` is not a safe file name and config token are skipped (they could not be matched safely).
    """
    keys: list[VerificationKey] = []
    for entry in jwks.get("keys", []):
        kid, alg = entry.get("kid"), entry.get("alg", "")
        if not isinstance(kid, str) or not _KID.match(kid) or entry.get("use", "sig") != "sig":
            continue
        if alg not in ENGINE_ALGORITHMS or entry.get("kty") != "EC" or entry.get("crv") != "P-256":
            continue
        try:
            public = jwt.PyJWK(dict(entry)).key
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        keys.append(VerificationKey(kid, alg, pem))
    return sorted(keys, key=lambda k: k.kid)
