"""Helpers for tests of any service: an in-process server on a Unix socket and locally minted tokens.

Only tests import this module.
"""

from __future__ import annotations

import contextlib
import copy
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .auth import KeySource, RevocationState, TokenVerifier
from .ids import new_id
from .server import Server, ServiceApp
from .uow import UnitOfWork

TEST_ISSUER = "https://identity.test.lienthong"
TEST_AUDIENCE = "lienthong"


class TokenMint:
    """A key that mints access tokens shaped like identity's, and a verifier that trusts it.

    ES256 (P-256) by default, as identity signs; ``algorithm="EdDSA"`` for an Ed25519 key.
    """

    def __init__(
        self,
        *,
        issuer: str = TEST_ISSUER,
        audience: str = TEST_AUDIENCE,
        kid: str | None = None,
        algorithm: str = "ES256",
    ):
        self.algorithm = algorithm
        self.key: Any = (
            ec.generate_private_key(ec.SECP256R1()) if algorithm == "ES256" else Ed25519PrivateKey.generate()
        )
        self.kid = kid or f"test-{uuid.uuid4().hex[:8]}"
        self.issuer = issuer
        self.audience = audience
        self.revocations = RevocationState()

    def jwks(self) -> dict[str, Any]:
        codec: Any = jwt.algorithms.ECAlgorithm if self.algorithm == "ES256" else jwt.algorithms.OKPAlgorithm
        jwk = codec.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}]}

    def verifier(self, **kwargs: Any) -> TokenVerifier:
        return TokenVerifier(
            KeySource.from_jwks(self.jwks()),
            issuer=self.issuer,
            audience=self.audience,
            revocations=self.revocations,
            **kwargs,
        )

    def token(
        self,
        scopes: Iterable[str] = (),
        *,
        agency: str = "agency-test",
        subject: str | None = None,
        kind: str = "client",
        ttl: int = 900,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "scope": " ".join(scopes),
            "jti": new_id(),
            "iat": now,
            "exp": now + ttl,
        }
        if kind == "citizen":  # identity's citizen tokens: sub citizen:<account>, pid, no agency
            payload.update(
                sub=subject or f"citizen:{uuid.uuid4().hex[:12]}",
                agency_id="",
                pid=claims.pop("pid", "001090000001"),
            )
        else:
            client = subject or f"client-{agency}"
            payload.update(sub=client, agency_id=agency, client_id=client)
        payload.update(claims)
        return jwt.encode(
            payload, self.key, algorithm=self.algorithm, headers={"kid": self.kid, "typ": "at+jwt"}
        )

    def metadata(self, scopes: Iterable[str] = (), **kwargs: Any) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token(scopes, **kwargs)}"),)


@contextlib.asynccontextmanager
async def running(app: ServiceApp, unix_socket: str) -> AsyncIterator[grpc.aio.Channel]:
    """Start ``app`` on a Unix socket and yield a channel to it; stops the server with no grace afterwards."""
    app.settings.unix_socket = unix_socket
    app.settings.port = -1
    server = Server(app)
    await server.start()
    channel = grpc.aio.insecure_channel(f"unix:{unix_socket}")
    try:
        yield channel
    finally:
        await channel.close(None)
        await server.stop(0)


class InMemoryUnitOfWork(UnitOfWork):
    """The base of every service's in-memory fake unit of work (``tests/<svc>/fakes.py``).

    State lives in plain attributes listed in ``state`` (dicts/lists the fake repositories share across
    transactions); a transaction works on them directly and a rollback restores the deep copy taken when it
    began, so a handler that raises leaves nothing behind, as with the database. ``outbox`` holds every committed
    event in commit order; ``commits`` counts commits (a test can assert a read committed nothing)."""

    #: Names of the attributes holding the fake's stored state.
    state: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.outbox: list[Any] = []
        self.commits = 0
        self._snapshot: dict[str, Any] = {}
        self._outbox_mark = 0

    async def _begin(self) -> None:
        self._snapshot = {name: copy.deepcopy(getattr(self, name)) for name in self.state}
        self._outbox_mark = len(self.outbox)

    async def _commit(self) -> None:
        self.commits += 1
        self._snapshot = {}

    async def _rollback(self) -> None:
        # A commit that fails after the outbox was written leaves no events behind, as with the database.
        del self.outbox[self._outbox_mark :]
        # In place, so repositories holding a reference to a container see the restored contents.
        for name, saved in self._snapshot.items():
            current = getattr(self, name)
            if isinstance(current, dict):
                current.clear()
                current.update(saved)
            elif isinstance(current, list):
                current[:] = saved
            elif isinstance(current, set):
                current.clear()
                current.update(saved)
            else:
                setattr(self, name, saved)
        self._snapshot = {}

    async def _write_outbox(self, events: Sequence[Any]) -> None:
        self.outbox.extend(events)
