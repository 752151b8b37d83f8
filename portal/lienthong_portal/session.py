"""The session cookie: sealed (AES-256-GCM) state that only the portal can read or forge.

The portal keeps nothing on disk or in memory between requests: the citizen's tokens, the CSRF token and the
language live in one encrypted, authenticated cookie (HttpOnly, SameSite=Lax, Secure outside the embedded mode).
A cookie that does not open (forged, altered, sealed with an unknown key) or has expired is treated as no session.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag

from lienthong_runtime.crypto import Keyring, b64decode, b64encode

#: How long the password step of a TOTP login stays usable (the password waits sealed in the cookie).
PENDING_SECONDS = 300


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    lang: str = "vi"
    expires: float = 0.0
    access_token: str = ""
    refresh_token: str = ""
    #: Between the password and the TOTP step: personal ID, password and until when.
    pending: dict[str, Any] = field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        return bool(self.access_token)

    def csrf_ok(self, presented: str) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf.encode(), presented.encode())

    def pending_login(self, now: float) -> tuple[str, str] | None:
        if self.pending and float(self.pending.get("until", 0)) > now:
            return str(self.pending["pid"]), str(self.pending["password"])
        return None


class SessionCodec:
    """Seals and opens :class:`Session` values; the cookie name is bound into the ciphertext."""

    def __init__(self, keyring: Keyring, *, secure: bool, idle_seconds: float) -> None:
        self.keyring = keyring
        self.secure = secure
        self.idle_seconds = idle_seconds
        # The __Host- prefix makes browsers refuse the cookie unless Secure, path=/ and no Domain.
        self.cookie_name = "__Host-lt_portal" if secure else "lt_portal"

    def seal(self, session: Session, now: float | None = None) -> str:
        session.expires = (now or time.time()) + self.idle_seconds
        raw = json.dumps(asdict(session), separators=(",", ":")).encode()
        return b64encode(self.keyring.seal_packed(raw, self.cookie_name.encode()))

    def open(self, value: str | None, now: float | None = None) -> Session | None:
        """The session in the cookie, or None when there is none, it is forged or it has expired."""
        if not value or len(value) > 4096:
            return None
        try:
            data = json.loads(self.keyring.open_packed(b64decode(value), self.cookie_name.encode()))
            session = Session(**data)
        except (InvalidTag, KeyError, ValueError, TypeError, IndexError):
            return None
        if session.expires < (now or time.time()):
            return None
        return session

    def cookie_options(self) -> dict[str, Any]:
        return {
            "httponly": True,
            "secure": self.secure,
            "samesite": "Lax",
            "path": "/",
            "max_age": int(self.idle_seconds),
        }
