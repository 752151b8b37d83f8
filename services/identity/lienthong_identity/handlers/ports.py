"""What the handlers need from storage: identity's abstract unit of work and its repositories.

The SQL implementation is ``adapters/uow.py`` (``SqlIdentityUnitOfWork``); the in-memory one for tests without
PostgreSQL is ``tests/identity/fakes.py``. Handlers import only this module, never an adapter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from lienthong_runtime.uow import UnitOfWork

from ..domain.agencies import Agency, AgencyState
from ..domain.audit import AuditEvent, Outcome
from ..domain.citizens import CitizenAccount
from ..domain.clients import Client, ClientKey, ClientSecret, ClientState
from ..domain.keys import SigningKey
from ..domain.records import RefreshRecord, StoredCreate
from ..domain.throttle import ThrottleState


class AgencyRepository(Protocol):
    async def add(self, agency: Agency) -> None: ...
    async def save(self, agency: Agency) -> None: ...
    async def get(self, agency_id: str, *, for_update: bool = False) -> Agency | None: ...
    async def page(self, state: AgencyState | None, size: int, token: str) -> tuple[list[Agency], str]: ...
    async def names(self, agency_ids: list[str]) -> dict[str, str]: ...


class ClientRepository(Protocol):
    async def add(self, client: Client) -> None: ...
    async def save(self, client: Client) -> None: ...
    async def get(
        self,
        client_id: str,
        *,
        agency_id: str | None = None,
        for_update: bool = False,
        now: datetime | None = None,
    ) -> Client | None: ...
    async def with_agency(self, client_id: str, now: datetime) -> tuple[Client, Agency] | None: ...
    async def page(
        self, agency_id: str, state: ClientState | None, size: int, token: str, now: datetime
    ) -> tuple[list[Client], str]: ...
    async def add_secret(self, client_id: str, secret: ClientSecret) -> None: ...
    async def expire_secrets(self, client_id: str, at: datetime) -> None: ...
    async def add_key(self, client_id: str, key: ClientKey) -> None: ...
    async def delete_key(self, client_id: str, key_id: str) -> bool: ...
    async def strip_scopes(self, agency_id: str, allowed: frozenset[str]) -> None: ...
    async def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool: ...


class CitizenRepository(Protocol):
    async def add(self, account: CitizenAccount) -> None: ...
    async def by_personal_id(self, personal_id: str) -> CitizenAccount | None: ...
    async def get(self, account_id: str, *, for_update: bool = False) -> CitizenAccount | None: ...
    async def set_password(self, account_id: str, password_hash: str, now: datetime) -> None: ...
    async def set_pending_totp(self, account_id: str, secret: str) -> None: ...
    async def totp_secrets(self, account_id: str) -> tuple[str, str]: ...
    async def confirm_totp(self, account_id: str, step: int) -> None: ...
    async def use_totp_step(self, account_id: str, step: int) -> bool: ...


class TokenRepository(Protocol):
    async def add_refresh(
        self, token_hash: bytes, family_id: str, account_id: str, now: datetime, expires_at: datetime
    ) -> None: ...
    async def refresh(self, token_hash: bytes) -> RefreshRecord | None: ...
    async def use_refresh(self, token_hash: bytes, now: datetime) -> bool: ...
    async def revoke_family(self, family_id: str, now: datetime) -> None: ...
    async def revoke_account(self, account_id: str, now: datetime) -> None: ...
    async def revoke_access(self, token_id: str, subject: str, expires_at: float, now: datetime) -> bool: ...
    async def is_revoked(self, token_id: str) -> bool: ...
    async def revoke_sessions(self, subject: str, before: float, cause: str, now: datetime) -> None: ...
    async def sessions_revoked_before(self, subject: str) -> float: ...
    async def prune(self, now: datetime) -> None: ...


class ThrottleRepository(Protocol):
    async def get(self, key: str) -> ThrottleState: ...
    async def claim(self, state: ThrottleState, hold_until: float) -> bool: ...
    async def put(self, state: ThrottleState) -> None: ...
    async def reset(self, key: str) -> None: ...


class AuditRepository(Protocol):
    async def add(self, event: AuditEvent) -> None: ...
    async def page(
        self,
        *,
        agency_id: str | None,
        action: str,
        outcome: Outcome | None,
        start: datetime | None,
        end: datetime | None,
        size: int,
        token: str,
    ) -> tuple[list[AuditEvent], str]: ...


class CreateRequestRepository(Protocol):
    async def find(self, caller: str, operation: str, key: str, now: datetime) -> StoredCreate | None: ...
    async def add(
        self,
        caller: str,
        operation: str,
        key: str,
        *,
        fingerprint: str,
        agency_id: str,
        client_id: str,
        secret: str,
        now: datetime,
    ) -> None:
        """Remember what ``key`` created; :class:`IdempotencyConflict` when a concurrent create took it."""


class SigningKeyRepository(Protocol):
    async def rotate(
        self, now: datetime, *, only_if_due: float | None = None
    ) -> tuple[SigningKey, SigningKey, SigningKey | None] | None:
        """NEXT -> CURRENT, CURRENT -> RETIRED, a new NEXT: (current, next, retired), or None if not due."""


class SigningKeys(Protocol):
    """The signing keys in memory (``adapters.keystore.KeyStore``): sign with the current one, list them."""

    keys: list[SigningKey]
    jwks: dict[str, Any]
    jwks_json: str

    def sign(self, claims: dict[str, Any]) -> str: ...
    async def reload(self, now: datetime | None = None) -> None: ...


class IdentityUnitOfWork(UnitOfWork):
    """One transaction of identity: its repositories, the outbox (``publish``) and the audit trail."""

    source = "identity"
    agencies: AgencyRepository
    clients: ClientRepository
    citizens: CitizenRepository
    tokens: TokenRepository
    throttle: ThrottleRepository
    audit_trail: AuditRepository
    create_requests: CreateRequestRepository
    signing_keys: SigningKeyRepository

    async def audit(self, event: AuditEvent) -> None:
        await self.audit_trail.add(event)
