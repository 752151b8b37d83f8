"""What the registry's handlers need from storage, as abstract interfaces.

Two sides, because the registry's reads are its hot path:

- **Writes and anything transactional** go through :class:`RegistryUnitOfWork` (``async with uow:`` commits on
  success, rolls back on error; events staged with ``uow.publish`` reach the outbox in the same transaction). A
  create or update, its version row, its event and its WRITE access-log entry commit together or not at all.
- **Purpose-bound reads** need no transaction, so they go through read ports injected by the composition root:
  :class:`CitizenReads` (the asyncpg by-ID read, AUTOCOMMIT reads of households, histories and searches, each
  routed to a fresh hot standby or the primary with read-your-own-write), :class:`PolicyLookup` (the per-process
  policy cache) and :class:`AccessLog` (the group-committed, lock-free append of read entries). Opening a unit of
  work for them would add BEGIN/COMMIT round trips and a SQLAlchemy session (~300 us of CPU per statement against
  ~65 us for asyncpg) to every GetCitizen, and would pin reads to the primary.

The SQL implementations live in ``adapters/`` (``uow.py``, ``repositories.py``, ``reads.py``); the in-memory ones
in ``tests/registry/fakes.py``.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from lienthong_runtime.uow import UnitOfWork

from ..domain.access_log import AccessLogEntry
from ..domain.citizen import Citizen, VersionMeta
from ..domain.disclosure import DisclosurePolicy

#: Who reads: (agency id, client id). Reads after one's own write must see it (replica routing).
CallerKey = tuple[str, str]
#: Who writes: (agency id, client id), recorded on the version row.
Actor = tuple[str, str]
#: Household order: (relation rank, blind index of the personal ID).
HouseholdCursor = tuple[int, bytes]


@dataclass(frozen=True)
class CreateKey:
    """What an idempotency key of CreateCitizen was first used for: a keyed digest of the request and the
    record's blind index (never the record in clear)."""

    fingerprint: bytes
    pid_index: bytes


class SubjectIndex(Protocol):
    """The registry's keyed blind indexes (``adapters.crypto.CitizenIndex``)."""

    def digest(self, kind: str, value: str) -> bytes: ...

    def personal_id(self, personal_id: str) -> bytes: ...


@dataclass(frozen=True)
class LogQuery:
    """Which access-log entries to list: about one subject (blind index, hex) and/or by one agency, in a time
    window, below sequence ``before``; at most ``limit``."""

    subject: str = ""
    agency_id: str = ""
    start_us: int = 0
    end_us: int = 0
    before: int | None = None
    limit: int = 50


class CitizenRepository(abc.ABC):
    """Citizen records inside the unit of work's transaction."""

    @abc.abstractmethod
    async def get(self, personal_id: str) -> Citizen | None:
        """The current record (in the transaction), or None."""

    @abc.abstractmethod
    async def add(self, record: Citizen, actor: Actor, reason: str, changed: list[str], now_us: int) -> None:
        """Store version 1 and its history row; ALREADY_EXISTS ``CITIZEN_EXISTS`` if the ID is registered."""

    @abc.abstractmethod
    async def update(
        self,
        record: Citizen,
        expected_version: int,
        actor: Actor,
        reason: str,
        changed: list[str],
        now_us: int,
    ) -> bool:
        """Store ``record.version`` only if the stored version is still ``expected_version``; False otherwise."""

    @abc.abstractmethod
    async def first_version(self, personal_id: str) -> tuple[Citizen, VersionMeta] | None:
        """Version 1 as it was written, with who wrote it and when."""


class CreateKeyRepository(abc.ABC):
    """CreateCitizen's idempotency keys, per agency, written in the create's transaction."""

    @abc.abstractmethod
    async def find(self, agency_id: str, key: str) -> CreateKey | None: ...

    @abc.abstractmethod
    async def add(self, agency_id: str, key: str, claim: CreateKey, now_us: int) -> bool:
        """Remember the key; False (and nothing written) when it is already taken."""


class PolicyRepository(abc.ABC):
    """Disclosure policies, for their administration (reads for disclosure go through :class:`PolicyLookup`)."""

    @abc.abstractmethod
    async def get(self, agency_id: str, purpose: str) -> DisclosurePolicy | None: ...

    @abc.abstractmethod
    async def put(self, policy: DisclosurePolicy, now_us: int) -> DisclosurePolicy:
        """Create or replace (one upsert); a replaced policy keeps its creation time."""

    @abc.abstractmethod
    async def remove(self, agency_id: str, purpose: str) -> bool: ...

    @abc.abstractmethod
    async def page(self, agency_id: str, after: tuple[str, str] | None, limit: int) -> list[DisclosurePolicy]:
        """Ordered by (agency, purpose), of one agency when ``agency_id`` is set, after the cursor."""


class AccessLogRepository(abc.ABC):
    """The access log inside the unit of work: WRITE entries committed with their write, and the chain check."""

    @abc.abstractmethod
    def append(self, entries: list[AccessLogEntry]) -> None:
        """Chain ``entries`` in this transaction, last before its commit (the chain's lock is held until then)."""

    @abc.abstractmethod
    async def previous_hash(self, sequence: int) -> str | None: ...

    @abc.abstractmethod
    def scan(self, from_sequence: int) -> AsyncIterator[list[AccessLogEntry]]:
        """Every entry from ``from_sequence`` on, in sequence order, in chunks."""

    @abc.abstractmethod
    async def versions_without_write_entry(self, since_us: int = 0) -> int:
        """Record versions written through the API (not bulk-imported, at ``since_us`` or later) that have no
        WRITE entry (``since_us``: where the log still attached begins once months are detached)."""

    @abc.abstractmethod
    async def archived_months(self) -> list[Any]:
        """The anchors of the months detached from the log, oldest first: each has ``partition``,
        ``first_sequence``, ``first_previous_hash``, ``last_sequence`` and ``last_hash``."""


class RegistryUnitOfWork(UnitOfWork):
    """One registry transaction and its repositories."""

    source = "registry"
    citizens: CitizenRepository
    create_keys: CreateKeyRepository
    policies: PolicyRepository
    access_log: AccessLogRepository


class CitizenReads(abc.ABC):
    """Reads outside a transaction, on a fresh standby or the primary (see the module docstring)."""

    @abc.abstractmethod
    async def find(self, caller: CallerKey, personal_id: str) -> Citizen | None: ...

    @abc.abstractmethod
    async def household(
        self, caller: CallerKey, household_id: str, after: HouseholdCursor | None, limit: int
    ) -> list[tuple[Citizen, HouseholdCursor]]:
        """Members, head first (by relation rank, then blind index), after the cursor."""

    @abc.abstractmethod
    async def history(
        self, caller: CallerKey, personal_id: str, before: int | None, limit: int
    ) -> list[tuple[Citizen, VersionMeta]]:
        """Versions newest first, below version ``before``."""

    @abc.abstractmethod
    async def search(
        self,
        caller: CallerKey,
        full_name: str,
        birth_iso: str,
        province: str,
        after: bytes | None,
        limit: int,
    ) -> list[tuple[Citizen, bytes]]:
        """Records of this normalised name and date of birth (and province), by blind index after ``after``."""

    @abc.abstractmethod
    async def own_record(self, personal_id: str) -> Citizen | None:
        """The record for its own subject, from the primary."""

    @abc.abstractmethod
    async def wrote(self, caller: CallerKey) -> None:
        """``caller``'s write committed: their next reads must see it."""


class PolicyLookup(abc.ABC):
    """The disclosure policy every purpose-bound read needs (cached per process)."""

    @abc.abstractmethod
    async def get(self, agency_id: str, purpose: str) -> DisclosurePolicy | None: ...

    @abc.abstractmethod
    def invalidate(self) -> None:
        """A policy changed through this process: forget what is cached."""


class AccessLog(abc.ABC):
    """The access log outside a transaction: read entries appended (fail closed) and entries listed."""

    @abc.abstractmethod
    async def append(self, entries: list[AccessLogEntry]) -> None:
        """Return once ``entries`` are committed to the chain (UNAVAILABLE when they cannot be)."""

    @abc.abstractmethod
    async def page(self, query: LogQuery) -> list[AccessLogEntry]:
        """Entries newest first, as ``query`` filters them."""

    @abc.abstractmethod
    async def hashes_of(self, sequences: set[int]) -> dict[int, str]:
        """The stored hashes of these entries (to check a page's links)."""
