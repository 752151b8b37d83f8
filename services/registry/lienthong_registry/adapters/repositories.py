"""The registry's repositories on one SQLAlchemy session: what ``adapters/uow.py`` binds to each transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.access_log import AccessLogEntry
from ..domain.citizen import Citizen, VersionMeta
from ..domain.disclosure import DisclosurePolicy
from ..handlers.ports import (
    AccessLogRepository,
    Actor,
    CitizenRepository,
    CreateKey,
    CreateKeyRepository,
    PolicyRepository,
)
from . import access_log_store, create_keys, policy_store
from .citizen_store import CitizenStore


class SqlCitizens(CitizenRepository):
    def __init__(self, session: AsyncSession, store: CitizenStore) -> None:
        self.session, self.store = session, store

    async def get(self, personal_id: str) -> Citizen | None:
        return await self.store.get(self.session, personal_id)

    async def add(self, record: Citizen, actor: Actor, reason: str, changed: list[str], now_us: int) -> None:
        await self.store.insert(self.session, record, actor, reason, changed, now_us)

    async def update(
        self,
        record: Citizen,
        expected_version: int,
        actor: Actor,
        reason: str,
        changed: list[str],
        now_us: int,
    ) -> bool:
        return await self.store.update(self.session, record, expected_version, actor, reason, changed, now_us)

    async def first_version(self, personal_id: str) -> tuple[Citizen, VersionMeta] | None:
        found = await self.store.history(self.session, personal_id, before=2, limit=1)
        return found[0] if found else None


class SqlCreateKeys(CreateKeyRepository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, agency_id: str, key: str) -> CreateKey | None:
        return await create_keys.find(self.session, agency_id, key)

    async def add(self, agency_id: str, key: str, claim: CreateKey, now_us: int) -> bool:
        try:  # in a savepoint: a key taken meanwhile undoes only this insert
            async with self.session.begin_nested():
                await create_keys.record(self.session, agency_id, key, claim, now_us)
        except IntegrityError:
            return False
        return True


class SqlPolicies(PolicyRepository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, agency_id: str, purpose: str) -> DisclosurePolicy | None:
        return await policy_store.get(self.session, agency_id, purpose)

    async def put(self, policy: DisclosurePolicy, now_us: int) -> DisclosurePolicy:
        return await policy_store.put(self.session, policy, now_us)

    async def remove(self, agency_id: str, purpose: str) -> bool:
        return await policy_store.remove(self.session, agency_id, purpose)

    async def page(self, agency_id: str, after: tuple[str, str] | None, limit: int) -> list[DisclosurePolicy]:
        return await policy_store.page(self.session, agency_id, after, limit)


class SqlAccessLogEntries(AccessLogRepository):
    """WRITE entries are held until the unit of work commits, then chained last in its transaction
    (``SqlRegistryUnitOfWork._commit``): the chain's advisory lock is held only from then until the commit."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.pending: list[AccessLogEntry] = []

    def append(self, entries: list[AccessLogEntry]) -> None:
        self.pending.extend(entries)

    async def previous_hash(self, sequence: int) -> str | None:
        return await access_log_store.previous_hash(self.session, sequence)

    def scan(self, from_sequence: int) -> AsyncIterator[list[AccessLogEntry]]:
        return access_log_store.scan(self.session, from_sequence)

    async def versions_without_write_entry(self, since_us: int = 0) -> int:
        return await access_log_store.versions_without_write_entry(self.session, since_us)

    async def archived_months(self) -> list[Any]:
        return await access_log_store.archived_months(self.session)
