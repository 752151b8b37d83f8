"""Token-signing keys: Ed25519 (EdDSA) or P-256 (ES256), sealed at rest under the KEK, cached in memory.

Every instance of identity signs with the key the database says is CURRENT and publishes every key that is not
EXPIRED. ``reload`` refreshes that view (after a local rotation at once, otherwise on the housekeeping schedule),
and the service's own token verifier reads its keys from here rather than calling itself over the network.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.auth import KeySource
from lienthong_runtime.crypto import Keyring

from .. import metrics
from ..domain.keys import KeyState, SigningKey, new_kid, rotation_due
from .tables import signing_keys as t

ALGORITHMS = ("EdDSA", "ES256")


def _new_private_key(algorithm: str) -> Any:
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return Ed25519PrivateKey.generate()


def _public_jwk(private: Any, algorithm: str) -> dict[str, Any]:
    codec = jwt.algorithms.ECAlgorithm if algorithm == "ES256" else jwt.algorithms.OKPAlgorithm
    return dict(codec.to_jwk(private.public_key(), as_dict=True))


def _key(row: Any) -> SigningKey:
    return SigningKey(
        kid=row.kid,
        algorithm=row.algorithm,
        public_jwk=json.loads(row.public_jwk),
        created_at=row.created_at,
        activated_at=row.activated_at,
        retired_at=row.retired_at,
        expires_at=row.expires_at,
    )


class KeyStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        *,
        token_ttl: int,
        clock_skew: int,
        algorithm: str = "ES256",
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"signing algorithm must be one of {ALGORITHMS}")
        self.algorithm = algorithm
        self.sessions = sessions
        self.keyring = keyring
        self.retention = timedelta(seconds=token_ttl + clock_skew)
        self.keys: list[SigningKey] = []
        self._signer: tuple[str, str, Any] | None = None
        self.jwks: dict[str, Any] = {"keys": []}
        self.jwks_json = '{"keys": []}'
        self.loaded_at = 0.0

    # ---- in-memory view ----

    def sign(self, claims: dict[str, Any]) -> str:
        """A JWS of ``claims`` by the current key, with ``kid`` and ``typ: at+jwt`` headers."""
        if self._signer is None:
            raise RuntimeError("no current signing key loaded")
        kid, algorithm, key = self._signer
        return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid, "typ": "at+jwt"})

    @property
    def current_kid(self) -> str:
        return self._signer[0] if self._signer else ""

    def key_source(self) -> KeySource:
        """A KeySource over this store (no network): an unknown kid triggers a reload from the database."""

        async def fetch() -> dict[str, Any]:
            if time.monotonic() - self.loaded_at > 1.0:
                await self.reload()
            return self.jwks

        return KeySource(fetch, min_refresh_interval=1.0)

    async def reload(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        async with self.sessions() as session:
            rows = (await session.execute(select(t).order_by(t.c.created_at))).all()
        keys = [(_key(r), r.private_key) for r in rows]
        published = [k for k, _ in keys if k.published(now)]
        current = [(k, sealed) for k, sealed in keys if k.state(now) is KeyState.CURRENT]
        if current:
            key, sealed = current[-1]
            der = self.keyring.open_packed(sealed, f"signing_keys:{key.kid}".encode())
            private: Any = serialization.load_der_private_key(der, None)
            self._signer = (key.kid, key.algorithm, private)
        self.keys = [k for k, _ in keys]
        self.jwks = {"keys": [k.jwk() for k in published]}
        self.jwks_json = json.dumps(self.jwks, separators=(",", ":"))
        self.loaded_at = time.monotonic()
        _export(self.keys, now)

    # ---- changes (inside the caller's transaction) ----

    async def rotate(
        self,
        session: AsyncSession,
        now: datetime,
        *,
        only_if_due: float | None = None,
    ) -> tuple[SigningKey, SigningKey, SigningKey | None] | None:
        """NEXT -> CURRENT, CURRENT -> RETIRED (published until its tokens expired), a new NEXT.

        With ``only_if_due`` (the schedule's interval in seconds), rotates only if still due once the rows are
        locked, so several instances never rotate twice. Returns (current, next, retired) or None.
        """
        rows = (await session.execute(select(t).with_for_update())).all()
        keys = [_key(r) for r in rows]
        current = next((k for k in keys if k.state(now) is KeyState.CURRENT), None)
        upcoming = next((k for k in keys if k.state(now) is KeyState.NEXT), None)
        if only_if_due is not None and not rotation_due(current, now, only_if_due):
            return None
        if upcoming is None:
            upcoming = await self._generate(session, now)
        retired = None
        if current is not None:
            retired = replace(current, retired_at=now, expires_at=now + self.retention)
            await session.execute(
                update(t)
                .where(t.c.kid == current.kid)
                .values(retired_at=retired.retired_at, expires_at=retired.expires_at)
            )
        await session.execute(update(t).where(t.c.kid == upcoming.kid).values(activated_at=now))
        promoted = replace(upcoming, activated_at=now)
        fresh = await self._generate(session, now)
        for key in keys:  # expired keys can never sign again: drop their private half
            if key.state(now) is KeyState.EXPIRED:
                await session.execute(update(t).where(t.c.kid == key.kid).values(private_key=b""))
        return promoted, fresh, retired

    async def _generate(self, session: AsyncSession, now: datetime) -> SigningKey:
        private = _new_private_key(self.algorithm)
        kid = new_kid(now)
        public = _public_jwk(private, self.algorithm)
        raw = private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        key = SigningKey(kid=kid, algorithm=self.algorithm, public_jwk=public, created_at=now)
        await session.execute(
            t.insert().values(
                kid=kid,
                algorithm=self.algorithm,
                public_jwk=json.dumps(public),
                private_key=self.keyring.seal_packed(raw, f"signing_keys:{kid}".encode()),
                created_at=now,
            )
        )
        return key

    async def ensure_current(self, now: datetime) -> None:
        """Create the first keys if there are none (idempotent across instances), then load them."""
        async with self.sessions() as session, session.begin():
            await self.rotate(session, now, only_if_due=0.0)
        await self.reload(now)


def _export(keys: list[SigningKey], now: datetime) -> None:
    """The key gauges: how many keys per state, and since when the current one signs."""
    states = [k.state(now) for k in keys]
    for state in KeyState:
        metrics.SIGNING_KEYS.labels(state.value.lower()).set(states.count(state))
    current = [k for k, s in zip(keys, states, strict=True) if s is KeyState.CURRENT and k.activated_at]
    if current:
        metrics.SIGNING_KEY_ACTIVATED.set(current[-1].activated_at.timestamp())  # type: ignore[union-attr]
