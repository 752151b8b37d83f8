"""The registry's unit of work in memory: ``FakeRegistryUnitOfWork`` and repositories implementing the abstract ones
of ``handlers/ports.py`` (the read ports are in ``fake_services.py``), so the registry's rules (disclosure,
idempotency, versions, verification, the access log) are tested without PostgreSQL, a server or gRPC."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from lienthong_registry.adapters.crypto import CitizenIndex
from lienthong_registry.domain.access_log import GENESIS_HASH, AccessLogEntry, chain
from lienthong_registry.domain.citizen import Citizen, VersionMeta
from lienthong_registry.domain.dates import from_us
from lienthong_registry.domain.disclosure import DisclosurePolicy
from lienthong_registry.handlers.ports import (
    AccessLogRepository,
    Actor,
    CitizenRepository,
    CreateKey,
    CreateKeyRepository,
    PolicyRepository,
    RegistryUnitOfWork,
)
from lienthong_runtime.errors import AlreadyExists, Unavailable
from lienthong_runtime.testing import InMemoryUnitOfWork

NOW = dt.datetime(2026, 12, 5, 8, 30, tzinfo=dt.UTC)


class FakeCitizens(CitizenRepository):
    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self.uow = uow

    async def get(self, personal_id: str) -> Citizen | None:
        return self.uow.records.get(personal_id)

    def _version(self, record: Citizen, actor: Actor, reason: str, changed: list[str], now_us: int) -> None:
        meta = VersionMeta(record.version, from_us(now_us), actor[0], actor[1], reason, list(changed))
        self.uow.versions.setdefault(record.personal_id, []).append((record, meta))

    async def add(self, record: Citizen, actor: Actor, reason: str, changed: list[str], now_us: int) -> None:
        if record.personal_id in self.uow.records:
            raise AlreadyExists(
                "a citizen with this personal ID is already registered", reason="CITIZEN_EXISTS"
            )
        self.uow.records[record.personal_id] = record
        self._version(record, actor, reason, changed, now_us)

    async def update(
        self,
        record: Citizen,
        expected_version: int,
        actor: Actor,
        reason: str,
        changed: list[str],
        now_us: int,
    ) -> bool:
        current = self.uow.records.get(record.personal_id)
        if current is None or current.version != expected_version:
            return False
        self.uow.records[record.personal_id] = replace(record, create_time=current.create_time)
        self._version(record, actor, reason, changed, now_us)
        return True

    async def first_version(self, personal_id: str) -> tuple[Citizen, VersionMeta] | None:
        found = self.uow.versions.get(personal_id)
        return found[0] if found else None


class FakeCreateKeys(CreateKeyRepository):
    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self.uow = uow

    async def find(self, agency_id: str, key: str) -> CreateKey | None:
        return self.uow.keys.get((agency_id, key))

    async def add(self, agency_id: str, key: str, claim: CreateKey, now_us: int) -> bool:
        if (agency_id, key) in self.uow.keys:
            return False
        self.uow.keys[(agency_id, key)] = claim
        return True


class FakePolicies(PolicyRepository):
    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self.uow = uow

    async def get(self, agency_id: str, purpose: str) -> DisclosurePolicy | None:
        return self.uow.policy_rows.get((agency_id, purpose))

    async def put(self, policy: DisclosurePolicy, now_us: int) -> DisclosurePolicy:
        old = self.uow.policy_rows.get((policy.agency_id, policy.purpose))
        created = old.create_time if old else from_us(now_us)
        stored = replace(policy, create_time=created, update_time=from_us(now_us))
        self.uow.policy_rows[(policy.agency_id, policy.purpose)] = stored
        return stored

    async def remove(self, agency_id: str, purpose: str) -> bool:
        return self.uow.policy_rows.pop((agency_id, purpose), None) is not None

    async def page(self, agency_id: str, after: tuple[str, str] | None, limit: int) -> list[DisclosurePolicy]:
        keys = sorted(
            k
            for k in self.uow.policy_rows
            if (not agency_id or k[0] == agency_id) and (after is None or k > after)
        )
        return [self.uow.policy_rows[k] for k in keys[:limit]]


def append_to(log: list[AccessLogEntry], entries: list[AccessLogEntry]) -> None:
    tail = (log[-1].sequence, log[-1].entry_hash) if log else (0, GENESIS_HASH)
    log.extend(chain(entries, *tail))


class FakeAccessLogEntries(AccessLogRepository):
    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self.uow = uow
        self.pending: list[AccessLogEntry] = []

    def append(self, entries: list[AccessLogEntry]) -> None:
        self.pending.extend(entries)

    async def previous_hash(self, sequence: int) -> str | None:
        return next((e.entry_hash for e in self.uow.log if e.sequence == sequence), None)

    async def scan(self, from_sequence: int) -> AsyncIterator[list[AccessLogEntry]]:
        yield [e for e in self.uow.log if e.sequence >= from_sequence]

    async def archived_months(self) -> list[Any]:
        return []  # the fake's log is never detached

    async def versions_without_write_entry(self, since_us: int = 0) -> int:
        writes: dict[str, int] = {}
        for e in self.uow.log:
            if e.action.name == "WRITE":
                writes[e.subject] = writes.get(e.subject, 0) + 1
        missing = 0
        for pid, versions in self.uow.versions.items():
            subject = self.uow.index.personal_id(pid).hex()
            missing += max(len(versions) - writes.get(subject, 0), 0)
        return missing


class FakeRegistryUnitOfWork(InMemoryUnitOfWork, RegistryUnitOfWork):
    """The registry's tables as dicts; a rollback restores them. ``fail_write_entries`` makes the commit's
    access-log append fail (as a dead connection does), to show that nothing of the write survives."""

    state = ("records", "versions", "keys", "policy_rows", "log")
    access_log: FakeAccessLogEntries

    def __init__(self, index: CitizenIndex) -> None:
        super().__init__()
        self.index = index
        self.records: dict[str, Citizen] = {}
        self.versions: dict[str, list[tuple[Citizen, VersionMeta]]] = {}
        self.keys: dict[tuple[str, str], CreateKey] = {}
        self.policy_rows: dict[tuple[str, str], DisclosurePolicy] = {}
        self.log: list[AccessLogEntry] = []
        self.fail_write_entries = False

    async def _begin(self) -> None:
        await super()._begin()
        self.citizens = FakeCitizens(self)
        self.create_keys = FakeCreateKeys(self)
        self.policies = FakePolicies(self)
        self.access_log = FakeAccessLogEntries(self)

    async def _commit(self) -> None:
        if self.access_log.pending:
            if self.fail_write_entries:
                raise Unavailable("the access log could not be written", reason="ACCESS_LOG_UNAVAILABLE")
            append_to(self.log, self.access_log.pending)
        await super()._commit()
