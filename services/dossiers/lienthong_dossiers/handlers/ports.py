"""The abstract unit of work and repositories the handlers take (SQL in ``adapters/``, in-memory in tests)."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lienthong_runtime.uow import UnitOfWork

from ..domain.attachments import Attachment
from ..domain.dossiers import Apology, Dossier, Part, PartState
from ..domain.procedures import Procedure
from ..domain.report import LateRow, ReportQuery, ReportRow


class ProcedureRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, procedure: Procedure) -> None:
        """Store a new version; ALREADY_EXISTS-worthy clashes raise ``ValueError``."""

    @abc.abstractmethod
    async def get(self, code: str, version: int = 0) -> Procedure | None:
        """The version asked for, or the latest when ``version`` is 0."""

    @abc.abstractmethod
    async def list(self, agency_id: str, after: str, limit: int) -> Sequence[Procedure]:
        """Latest versions by code, after ``after``."""


@dataclass(frozen=True)
class InboxQuery:
    agency_id: str
    state: PartState | None
    after: tuple[str, str] | None  # (due-or-empty sort key, part id)
    limit: int
    #: Only the parts assigned to this officer (an officer's client); empty: the agency's whole inbox.
    officer_id: str = ""


class DossierRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, dossier: Dossier) -> None: ...

    @abc.abstractmethod
    async def get(self, dossier_id: str, *, for_update: bool = False) -> Dossier | None: ...

    @abc.abstractmethod
    async def by_idempotency_key(self, citizen_pid: str, key: str) -> Dossier | None: ...

    @abc.abstractmethod
    async def by_payment_reference(self, reference: str) -> Dossier | None: ...

    @abc.abstractmethod
    async def code_taken(self, code: str) -> bool: ...

    @abc.abstractmethod
    async def save_part(self, part: Part) -> None:
        """Store the part's state and the history rows it gained."""

    @abc.abstractmethod
    async def save_dossier(self, dossier: Dossier) -> None:
        """Store the dossier's own fields (form, fee paid, completion)."""

    @abc.abstractmethod
    async def add_apology(self, part: Part, apology: Apology) -> None: ...

    @abc.abstractmethod
    async def of_citizen(
        self, citizen_pid: str, after: tuple[datetime, str] | None, limit: int
    ) -> Sequence[Dossier]: ...

    @abc.abstractmethod
    async def inbox(self, query: InboxQuery) -> Sequence[tuple[Dossier, Part]]: ...

    @abc.abstractmethod
    async def overdue_without_apology(self, today: date, limit: int) -> Sequence[str]:
        """Ids of dossiers with an open part (not paused) past its deadline and no apology yet."""

    @abc.abstractmethod
    async def open_late_by_agency(self, today: date) -> dict[str, int]:
        """Open parts (not paused) past their deadline, counted per agency."""

    @abc.abstractmethod
    async def log_access(
        self, dossier_id: str, actor_kind: str, actor: str, agency_id: str, action: str, now: datetime
    ) -> None: ...

    @abc.abstractmethod
    async def access_count(self, dossier_id: str) -> int: ...


class ReportRepository(abc.ABC):
    @abc.abstractmethod
    async def on_time(self, query: ReportQuery) -> Sequence[ReportRow]: ...

    @abc.abstractmethod
    async def late(
        self, agency_id: str, today: date, after: tuple[str, str] | None, limit: int
    ) -> Sequence[LateRow]: ...


class CalendarRepository(abc.ABC):
    @abc.abstractmethod
    async def days(self) -> tuple[frozenset[date], frozenset[date]]:
        """(make-up working days, extra days off) of every year."""

    @abc.abstractmethod
    async def replace_year(self, year: int, working: Sequence[date], off: Sequence[date]) -> None: ...


class EventLedger(abc.ABC):
    """What consumers processed, and what other blocks told dossiers."""

    @abc.abstractmethod
    async def first_delivery(self, consumer: str, event_id: str) -> bool: ...

    @abc.abstractmethod
    async def add_document(self, document_id: str, sender_agency_id: str, now: datetime) -> None: ...

    @abc.abstractmethod
    async def document_sender(self, document_id: str) -> str | None: ...


class RegistryReader(abc.ABC):
    """The registry, read as the platform's dossiers client: its disclosure policy for ``purpose`` applies and the
    read is written to its access log."""

    @abc.abstractmethod
    async def read(self, personal_id: str, purpose: str) -> dict[str, str]:
        """The disclosed fields (registry field name -> text; dates as YYYY-MM-DD)."""


class AttachmentRepository(abc.ABC):
    """Citizens' uploads: content sealed in pieces, the owner kept as a blind index of their personal ID."""

    @abc.abstractmethod
    async def add(
        self, attachment: Attachment, owner_pid: str, pieces: Sequence[bytes], now: datetime
    ) -> None: ...

    @abc.abstractmethod
    async def owned(self, ids: Sequence[str], owner_pid: str) -> set[str]:
        """Those of ``ids`` that ``owner_pid`` uploaded."""

    @abc.abstractmethod
    async def get(self, attachment_id: str) -> Attachment | None: ...

    @abc.abstractmethod
    async def content(self, attachment_id: str) -> list[bytes]:
        """The pieces of the content, unsealed, in order."""


class DossiersUnitOfWork(UnitOfWork):
    source = "dossiers"
    procedures: ProcedureRepository
    dossiers: DossierRepository
    attachments: AttachmentRepository
    reports: ReportRepository
    calendar: CalendarRepository
    ledger: EventLedger
