"""Token-signing keys and their lifecycle: NEXT (published, not signing) -> CURRENT -> RETIRED -> EXPIRED.

A key is published in the JWKS from creation until ``expires_at`` = retirement + the longest token lifetime +
clock skew, so a verifier always knows the key of every live token, and learns the next key before it signs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class KeyState(StrEnum):
    NEXT = "NEXT"
    CURRENT = "CURRENT"
    RETIRED = "RETIRED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    public_jwk: dict[str, Any]
    created_at: datetime
    activated_at: datetime | None = None
    retired_at: datetime | None = None
    expires_at: datetime | None = None

    def state(self, now: datetime) -> KeyState:
        if self.activated_at is None:
            return KeyState.NEXT
        if self.retired_at is None:
            return KeyState.CURRENT
        if self.expires_at is not None and self.expires_at <= now:
            return KeyState.EXPIRED
        return KeyState.RETIRED

    def published(self, now: datetime) -> bool:
        return self.state(now) is not KeyState.EXPIRED

    def jwk(self) -> dict[str, Any]:
        return {**self.public_jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}


def new_kid(now: datetime) -> str:
    return f"{now:%Y%m%d}-{uuid.uuid4().hex[:12]}"


def rotation_due(current: SigningKey | None, now: datetime, interval_s: float) -> bool:
    """Whether the schedule should rotate: no current key, or the current one is older than the interval."""
    if current is None or current.activated_at is None:
        return True
    return interval_s > 0 and (now - current.activated_at).total_seconds() >= interval_s
