"""The registry's read side in memory (``handlers/ports.py``: ``CitizenReads``, ``PolicyLookup``, ``AccessLog``) over
the tables of :class:`~tests.registry.fakes.FakeRegistryUnitOfWork`, and :class:`FakeRegistry`, which wires them
as the composition root would."""

from __future__ import annotations

import datetime as dt
import os

from lienthong_registry.adapters.crypto import CitizenIndex
from lienthong_registry.domain.access_log import AccessLogEntry
from lienthong_registry.domain.citizen import Citizen, VersionMeta
from lienthong_registry.domain.disclosure import DisclosurePolicy
from lienthong_registry.domain.names import name_key
from lienthong_registry.handlers.context import Services
from lienthong_registry.handlers.ports import (
    AccessLog,
    CallerKey,
    CitizenReads,
    HouseholdCursor,
    LogQuery,
    PolicyLookup,
)
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.errors import Unavailable

from .fakes import NOW, FakeRegistryUnitOfWork, append_to


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

    async def page(self, query: LogQuery) -> list[AccessLogEntry]:
        q = query
        found = [
            e
            for e in reversed(self.uow.log)
            if (not q.subject or e.subject == q.subject)
            and (not q.agency_id or e.agency_id == q.agency_id)
            and (not q.start_us or e.time_us >= q.start_us)
            and (not q.end_us or e.time_us < q.end_us)
            and (q.before is None or e.sequence < q.before)
        ]
        return found[: q.limit]

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
