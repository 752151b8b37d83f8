"""identity's unit of work in memory: the same repository interfaces as ``adapters/uow.py`` over plain dicts, so
handler rules (scope grants, idempotent creates, client secrets, suspension, revocation) are tested without
PostgreSQL or a server. ``context()`` builds the handlers' collaborators around a fake."""

from __future__ import annotations

import base64
import os
from datetime import datetime
from typing import Any

import jwt
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric import ec

from lienthong_identity.bootstrap import load_settings
from lienthong_identity.domain.agencies import Agency
from lienthong_identity.domain.audit import AuditEvent
from lienthong_identity.domain.citizens import CitizenAccount, Passwords
from lienthong_identity.domain.clients import Client, ClientKey, ClientSecret, SecretHasher
from lienthong_identity.domain.keys import SigningKey
from lienthong_identity.domain.records import RefreshRecord, StoredCreate
from lienthong_identity.domain.throttle import ThrottleState
from lienthong_identity.handlers.context import Context
from lienthong_identity.handlers.ports import IdentityUnitOfWork
from lienthong_runtime.auth import KeySource, RevocationState, TokenVerifier
from lienthong_runtime.contract import scope_catalogue
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.testing import InMemoryUnitOfWork
from tests.identity.fake_repositories import (
    FakeAgencies,
    FakeAudit,
    FakeCitizens,
    FakeClients,
    FakeCreateRequests,
    FakeThrottle,
    FakeTokens,
)


class FakeSigningKeys:
    """One ES256 key that signs and verifies; ``rotate`` is not part of these tests' rules."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwks: dict[str, Any] = {"keys": [{**jwk, "kid": "fake-1", "alg": "ES256", "use": "sig"}]}
        self.jwks_json = ""
        self.keys: list[SigningKey] = []

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm="ES256", headers={"kid": "fake-1", "typ": "at+jwt"})

    async def reload(self, now: datetime | None = None) -> None:
        return None

    async def rotate(
        self, now: datetime, *, only_if_due: float | None = None
    ) -> tuple[SigningKey, SigningKey, SigningKey | None] | None:
        return None


class FakeIdentityUnitOfWork(InMemoryUnitOfWork, IdentityUnitOfWork):
    state = (
        "agencies_by_id",
        "client_rows",
        "client_secrets",
        "client_keys",
        "used_assertions",
        "citizen_rows",
        "totp",
        "refresh_tokens",
        "revoked_tokens",
        "session_revocations",
        "throttle_rows",
        "audit_rows",
        "create_rows",
    )

    def __init__(self, keys: FakeSigningKeys | None = None) -> None:
        super().__init__()
        self.agencies_by_id: dict[str, Agency] = {}
        self.client_rows: dict[str, Client] = {}
        self.client_secrets: dict[str, list[ClientSecret]] = {}
        self.client_keys: dict[str, list[ClientKey]] = {}
        self.used_assertions: dict[tuple[str, str], datetime] = {}
        self.citizen_rows: dict[str, CitizenAccount] = {}
        self.totp: dict[str, list[Any]] = {}
        self.refresh_tokens: dict[bytes, RefreshRecord] = {}
        self.revoked_tokens: dict[str, float] = {}
        self.session_revocations: list[tuple[str, float, str]] = []
        self.throttle_rows: dict[str, ThrottleState] = {}
        self.audit_rows: list[AuditEvent] = []
        self.create_rows: dict[tuple[str, str, str], tuple[StoredCreate, datetime]] = {}
        self.signing_keys = keys or FakeSigningKeys()
        # Repositories over the containers above (they survive rollbacks: restored in place).
        self.agencies = FakeAgencies(self.agencies_by_id)
        self.clients = FakeClients(self)
        self.citizens = FakeCitizens(self.citizen_rows, self.totp)
        self.tokens = FakeTokens(self)
        self.throttle = FakeThrottle(self.throttle_rows)
        self.audit_trail = FakeAudit(self.audit_rows)
        self.create_requests = FakeCreateRequests(self.create_rows)

    def event_types(self) -> list[str]:
        """Type names of the committed outbox events, in order."""
        return [e.type.rsplit(".", 1)[-1] for e in self.outbox]


TEST_PEPPER = b"p" * 32


def context(uow: FakeIdentityUnitOfWork, **settings: Any) -> Context:
    """The handlers' collaborators around ``uow``: real domain rules, cheap password hashing, a local key."""
    keys = uow.signing_keys
    values: dict[str, Any] = {
        "dev_mode": True,
        "key_encryption_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "argon2_memory_kib": 8192,
        "argon2_time_cost": 1,
        "login_account_delay_cap": 1.0,
        "login_source_delay_cap": 1.0,
    }
    values.update(settings)
    config = load_settings(**values)
    revocations = RevocationState()
    return Context(
        settings=config,
        uow=lambda: uow,
        keyring=Keyring({"k1": os.urandom(32)}),
        pepper=TEST_PEPPER,
        index=BlindIndex(TEST_PEPPER),
        secrets=SecretHasher(TEST_PEPPER),
        passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)),
        keys=keys,
        revocations=revocations,
        verifier=TokenVerifier(
            KeySource.from_jwks(keys.jwks),
            issuer=config.token_issuer,
            audience=config.token_audience,
            revocations=revocations,
        ),
        catalogue=scope_catalogue(),
    )
