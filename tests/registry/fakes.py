"""The registry in memory: a fake unit of work and fake read ports implementing ``handlers/ports.py``, so the
registry's rules (disclosure, idempotency, versions, verification, the access log) are tested without PostgreSQL,
a server or gRPC. Real keys (AES-GCM and HMAC are pure CPU), a fixed clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from dataclasses import replace

from lienthong_registry.adapters.crypto import CitizenIndex
from lienthong_registry.domain.access_log import GENESIS_HASH, AccessLogEntry, chain
from lienthong_registry.domain.citizen import Citizen, VersionMeta
from lienthong_registry.domain.dates import from_us
from lienthong_registry.domain.disclosure import DisclosurePolicy
from lienthong_registry.domain.names import name_key
from lienthong_registry.handlers.context import Services
from lienthong_registry.handlers.ports import (
    AccessLog,
    AccessLogRepository,
    Actor,
    CallerKey,
    CitizenReads,
    CitizenRepository,
    CreateKey,
    CreateKeyRepository,
    HouseholdCursor,
    PolicyLookup,
    PolicyRepository,
    RegistryUnitOfWork,
)
from lienthong_runtime.crypto import BlindIndex, Keyring
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

    async def versions_without_write_entry(self) -> int:
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

    # "outbox" too: the base writes staged events before ``_commit``, which fails here when asked to.
    state = ("records", "versions", "keys", "policy_rows", "log", "outbox")

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


class FakeCitizenReads(CitizenReads):
    """Reads of the same dicts; ``calls`` counts reads (a refused read must not read), ``wrote`` the callers whose
    writes committed (their reads must see them)."""

    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self.uow = uow
        self.calls = 0
        self.wrote_by: list[CallerKey] = []

    async def find(self, caller: CallerKey, personal_id: str) -> Citizen | None:
        self.calls += 1
        return self.uow.records.get(personal_id)

    async def household(
        self, caller: CallerKey, household_id: str, after: HouseholdCursor | None, limit: int
    ) -> list[tuple[Citizen, HouseholdCursor]]:
        self.calls += 1
        members = sorted(
            (
                (c, (int(c.household_relation), self.uow.index.personal_id(c.personal_id)))
                for c in self.uow.records.values()
                if c.household_id == household_id
            ),
            key=lambda pair: pair[1],
        )
        return [m for m in members if after is None or m[1] > after][:limit]

    async def history(
        self, caller: CallerKey, personal_id: str, before: int | None, limit: int
    ) -> list[tuple[Citizen, VersionMeta]]:
        self.calls += 1
        versions = reversed(self.uow.versions.get(personal_id, []))
        return [v for v in versions if before is None or v[1].version < before][:limit]

    async def search(
        self,
        caller: CallerKey,
        full_name: str,
        birth_iso: str,
        province: str,
        after: bytes | None,
        limit: int,
    ) -> list[tuple[Citizen, bytes]]:
        self.calls += 1
        found = sorted(
            (self.uow.index.personal_id(c.personal_id), c)
            for c in self.uow.records.values()
            if name_key(c.full_name) == name_key(full_name)
            and c.date_of_birth is not None
            and c.date_of_birth.isoformat() == birth_iso
            and (
                not province
                or (c.permanent_address is not None and c.permanent_address.province_code == province)
            )
        )
        return [(c, i) for i, c in found if after is None or i > after][:limit]

    async def own_record(self, personal_id: str) -> Citizen | None:
        self.calls += 1
        return self.uow.records.get(personal_id)

    async def wrote(self, caller: CallerKey) -> None:
        self.wrote_by.append(caller)


class FakePolicyLookup(PolicyLookup):
    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self.uow = uow
        self.invalidated = 0

    async def get(self, agency_id: str, purpose: str) -> DisclosurePolicy | None:
        return self.uow.policy_rows.get((agency_id, purpose))

    def invalidate(self) -> None:
        self.invalidated += 1


class FakeAccessLog(AccessLog):
    """Read entries appended at once to the same chain; ``available = False`` fails appends (fail closed)."""

    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self.uow = uow
        self.available = True

    async def append(self, entries: list[AccessLogEntry]) -> None:
        if not entries:
            return
        if not self.available:
            raise Unavailable("the access log could not be written", reason="ACCESS_LOG_UNAVAILABLE")
        append_to(self.uow.log, entries)

    async def page(
        self,
        *,
        subject: str = "",
        agency_id: str = "",
        start_us: int = 0,
        end_us: int = 0,
        before: int | None = None,
        limit: int = 50,
    ) -> list[AccessLogEntry]:
        found = [
            e
            for e in reversed(self.uow.log)
            if (not subject or e.subject == subject)
            and (not agency_id or e.agency_id == agency_id)
            and (not start_us or e.time_us >= start_us)
            and (not end_us or e.time_us < end_us)
            and (before is None or e.sequence < before)
        ]
        return found[:limit]

    async def hashes_of(self, sequences: set[int]) -> dict[int, str]:
        return {e.sequence: e.entry_hash for e in self.uow.log if e.sequence in sequences}


class FakeRegistry:
    """One registry in memory: ``uow`` (one instance, reused by every call), ``services`` as the composition root
    would build them, and the fakes behind them for assertions."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.keyring = Keyring({"k1": os.urandom(32)})
        self.index = CitizenIndex(BlindIndex(os.urandom(32)))
        self.uow = FakeRegistryUnitOfWork(self.index)
        self.reads = FakeCitizenReads(self.uow)
        self.policies = FakePolicyLookup(self.uow)
        self.access_log = FakeAccessLog(self.uow)
        self.services = Services(
            reads=self.reads,
            policies=self.policies,
            access_log=self.access_log,
            keyring=self.keyring,
            index=self.index,
            now=lambda: now,
        )

    @property
    def log(self) -> list[AccessLogEntry]:
        return self.uow.log

    def grant(
        self, agency: str, purpose: str, fields: tuple[str, ...], basis: str = "Luật Cư trú 2020"
    ) -> None:
        self.uow.policy_rows[(agency, purpose)] = DisclosurePolicy(agency, purpose, fields, basis, NOW, NOW)
