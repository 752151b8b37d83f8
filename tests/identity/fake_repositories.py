"""The in-memory repositories of ``tests/identity/fakes.py`` (the same interfaces as the SQL ones in
``lienthong_identity/adapters/``), over containers their unit of work owns."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from lienthong_identity.domain.agencies import Agency, AgencyState
from lienthong_identity.domain.audit import AuditEvent, Outcome
from lienthong_identity.domain.citizens import CitizenAccount
from lienthong_identity.domain.clients import Client, ClientKey, ClientSecret, ClientState
from lienthong_identity.domain.records import SECRET_RETENTION, RefreshRecord, StoredCreate
from lienthong_identity.domain.throttle import ThrottleState
from lienthong_runtime.paging import decode_keyset, encode_keyset

#: The fake unit of work whose state these repositories share (``tests/identity/fakes.py``). Named, not imported:
#: fakes.py imports this module, and the import graph stays free of cycles (tools/import_cycles.py).
FakeIdentityUnitOfWork = Any


def _page(items: list[Any], kind: str, size: int, token: str, time_of: Any) -> tuple[list[Any], str]:
    after = decode_keyset(kind, token)
    ordered = sorted(items, key=lambda i: (time_of(i), i.id))
    if after:
        ordered = [i for i in ordered if (time_of(i), i.id) > after]
    page = ordered[:size]
    more = len(ordered) > size
    return page, encode_keyset(kind, time_of(page[-1]), page[-1].id) if more else ""


class FakeAgencies:
    def __init__(self, rows: dict[str, Agency]) -> None:
        self.rows = rows

    async def add(self, agency: Agency) -> None:
        assert agency.id not in self.rows
        self.rows[agency.id] = agency

    async def save(self, agency: Agency) -> None:
        self.rows[agency.id] = agency

    async def get(self, agency_id: str, *, for_update: bool = False) -> Agency | None:
        return self.rows.get(agency_id)

    async def page(self, state: AgencyState | None, size: int, token: str) -> tuple[list[Agency], str]:
        rows = [a for a in self.rows.values() if state is None or a.state is state]
        return _page(rows, "ListAgencies", size, token, lambda a: a.created_at)

    async def names(self, agency_ids: list[str]) -> dict[str, str]:
        return {a: self.rows[a].display_name for a in agency_ids if a in self.rows}


class FakeClients:
    def __init__(self, uow: FakeIdentityUnitOfWork) -> None:
        self.uow = uow

    def _complete(self, client: Client, now: datetime | None) -> Client:
        secrets = [s for s in self.uow.client_secrets.get(client.id, []) if now is None or s.usable(now)]
        return replace(client, secrets=tuple(secrets), keys=tuple(self.uow.client_keys.get(client.id, [])))

    async def add(self, client: Client) -> None:
        self.uow.client_rows[client.id] = replace(client, secrets=(), keys=())

    async def save(self, client: Client) -> None:
        self.uow.client_rows[client.id] = replace(client, secrets=(), keys=())

    async def get(
        self,
        client_id: str,
        *,
        agency_id: str | None = None,
        for_update: bool = False,
        now: datetime | None = None,
    ) -> Client | None:
        found = self.uow.client_rows.get(client_id)
        if found is None or (agency_id is not None and found.agency_id != agency_id):
            return None
        return self._complete(found, now)

    async def with_agency(self, client_id: str, now: datetime) -> tuple[Client, Agency] | None:
        found = self.uow.client_rows.get(client_id)
        if found is None:
            return None
        return replace(self._complete(found, now), keys=()), self.uow.agencies_by_id[found.agency_id]

    async def page(
        self, agency_id: str, state: ClientState | None, size: int, token: str, now: datetime
    ) -> tuple[list[Client], str]:
        rows = [
            self._complete(c, now)
            for c in self.uow.client_rows.values()
            if c.agency_id == agency_id and (state is None or c.state is state)
        ]
        return _page(rows, "ListClients", size, token, lambda c: c.created_at)

    async def add_secret(self, client_id: str, secret: ClientSecret) -> None:
        self.uow.client_secrets.setdefault(client_id, []).append(secret)

    async def expire_secrets(self, client_id: str, at: datetime) -> None:
        self.uow.client_secrets[client_id] = [
            replace(s, expires_at=at) if s.expires_at is None or s.expires_at > at else s
            for s in self.uow.client_secrets.get(client_id, [])
        ]

    async def add_key(self, client_id: str, key: ClientKey) -> None:
        self.uow.client_keys.setdefault(client_id, []).append(key)

    async def delete_key(self, client_id: str, key_id: str) -> bool:
        keys = self.uow.client_keys.get(client_id, [])
        kept = [k for k in keys if k.key_id != key_id]
        self.uow.client_keys[client_id] = kept
        return len(kept) != len(keys)

    async def strip_scopes(self, agency_id: str, allowed: frozenset[str]) -> None:
        for client in list(self.uow.client_rows.values()):
            if client.agency_id == agency_id:
                self.uow.client_rows[client.id] = replace(client, scopes=client.scopes & allowed)

    async def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        if (client_id, jti) in self.uow.used_assertions:
            return False
        self.uow.used_assertions[(client_id, jti)] = expires_at
        return True


class FakeCitizens:
    def __init__(self, rows: dict[str, CitizenAccount], totp: dict[str, list[Any]]) -> None:
        self.rows, self.totp = rows, totp

    async def add(self, account: CitizenAccount) -> None:
        if any(a.personal_id == account.personal_id for a in self.rows.values()):
            from lienthong_runtime.errors import AlreadyExists

            raise AlreadyExists("an account exists for this personal ID", reason="ACCOUNT_EXISTS")
        self.rows[account.id] = account

    async def by_personal_id(self, personal_id: str) -> CitizenAccount | None:
        return next((a for a in self.rows.values() if a.personal_id == personal_id), None)

    async def get(self, account_id: str, *, for_update: bool = False) -> CitizenAccount | None:
        return self.rows.get(account_id)

    async def set_password(self, account_id: str, password_hash: str, now: datetime) -> None:
        self.rows[account_id] = replace(self.rows[account_id], password_hash=password_hash)

    async def set_pending_totp(self, account_id: str, secret: str) -> None:
        current = self.totp.get(account_id, ["", ""])
        self.totp[account_id] = [current[0], secret]

    async def totp_secrets(self, account_id: str) -> tuple[str, str]:
        secret, pending = self.totp.get(account_id, ["", ""])
        return secret, pending

    async def confirm_totp(self, account_id: str, step: int) -> None:
        self.totp[account_id] = [self.totp[account_id][1], ""]
        self.rows[account_id] = replace(self.rows[account_id], totp_enabled=True, totp_last_step=step)

    async def use_totp_step(self, account_id: str, step: int) -> bool:
        account = self.rows[account_id]
        if step <= account.totp_last_step:
            return False
        self.rows[account_id] = replace(account, totp_last_step=step)
        return True


class FakeTokens:
    def __init__(self, uow: FakeIdentityUnitOfWork) -> None:
        self.uow = uow

    async def add_refresh(
        self, token_hash: bytes, family_id: str, account_id: str, now: datetime, expires_at: datetime
    ) -> None:
        self.uow.refresh_tokens[token_hash] = RefreshRecord(
            family_id, account_id, expires_at, None, None, now
        )

    async def refresh(self, token_hash: bytes) -> RefreshRecord | None:
        return self.uow.refresh_tokens.get(token_hash)

    async def use_refresh(self, token_hash: bytes, now: datetime) -> bool:
        record = self.uow.refresh_tokens.get(token_hash)
        if record is None or record.used_at is not None or record.revoked_at is not None:
            return False
        self.uow.refresh_tokens[token_hash] = replace(record, used_at=now)
        return True

    def _revoke_where(self, match: Any, now: datetime) -> None:
        for digest, record in list(self.uow.refresh_tokens.items()):
            if match(record) and record.revoked_at is None:
                self.uow.refresh_tokens[digest] = replace(record, revoked_at=now)

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        self._revoke_where(lambda r: r.family_id == family_id, now)

    async def revoke_account(self, account_id: str, now: datetime) -> None:
        self._revoke_where(lambda r: r.account_id == account_id, now)

    async def revoke_access(self, token_id: str, subject: str, expires_at: float, now: datetime) -> bool:
        if token_id in self.uow.revoked_tokens:
            return False
        self.uow.revoked_tokens[token_id] = expires_at
        return True

    async def is_revoked(self, token_id: str) -> bool:
        return token_id in self.uow.revoked_tokens

    async def revoke_sessions(self, subject: str, before: float, cause: str, now: datetime) -> None:
        self.uow.session_revocations.append((subject, before, cause))

    async def sessions_revoked_before(self, subject: str) -> float:
        return max((b for s, b, _ in self.uow.session_revocations if s == subject), default=0.0)

    async def prune(self, now: datetime) -> None:
        horizon = now.timestamp() - 600
        for token_id, expires in list(self.uow.revoked_tokens.items()):
            if expires < horizon:
                del self.uow.revoked_tokens[token_id]


class FakeThrottle:
    def __init__(self, rows: dict[str, ThrottleState]) -> None:
        self.rows = rows

    async def get(self, key: str) -> ThrottleState:
        return self.rows.get(key, ThrottleState(key, 0, 0.0, 0.0))

    async def claim(self, state: ThrottleState, hold_until: float) -> bool:
        if state.failures == 0 and state.next_allowed_at == 0.0:
            return True
        if self.rows.get(state.key) != state:
            return False
        self.rows[state.key] = replace(state, next_allowed_at=hold_until)
        return True

    async def put(self, state: ThrottleState) -> None:
        self.rows[state.key] = state

    async def reset(self, key: str) -> None:
        self.rows.pop(key, None)


class FakeAudit:
    def __init__(self, rows: list[AuditEvent]) -> None:
        self.rows = rows

    async def add(self, event: AuditEvent) -> None:
        self.rows.append(event)

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
    ) -> tuple[list[AuditEvent], str]:
        rows = [
            e
            for e in self.rows
            if (agency_id is None or e.agency_id == agency_id)
            and (not action or e.action == action)
            and (outcome is None or e.outcome is outcome)
        ]
        return rows[:size], ""


class FakeCreateRequests:
    def __init__(self, rows: dict[tuple[str, str, str], tuple[StoredCreate, datetime]]) -> None:
        self.rows = rows

    async def find(self, caller: str, operation: str, key: str, now: datetime) -> StoredCreate | None:
        found = self.rows.get((caller, operation, key))
        if found is None:
            return None
        stored, created = found
        if stored.client_id and now - created >= SECRET_RETENTION:
            return replace(stored, secret=None)
        return stored

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
        from lienthong_identity.domain.records import IdempotencyConflict

        if (caller, operation, key) in self.rows:
            raise IdempotencyConflict(key)
        self.rows[(caller, operation, key)] = (StoredCreate(fingerprint, agency_id, client_id, secret), now)
