"""The in-memory unit of work of dossiers' unit tests: the same abstract repositories as the SQL ones, on dicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from lienthong_dossiers.domain.attachments import Attachment
from lienthong_dossiers.domain.calendar import end_of_day, local_date
from lienthong_dossiers.domain.codes import new_code
from lienthong_dossiers.domain.dossiers import Apology, Dossier, Part, PartState
from lienthong_dossiers.domain.procedures import Procedure
from lienthong_dossiers.domain.report import LateRow, ReportQuery, ReportRow
from lienthong_dossiers.handlers.context import Deps
from lienthong_dossiers.handlers.ports import (
    AttachmentRepository,
    CalendarRepository,
    DossierRepository,
    DossiersUnitOfWork,
    EventLedger,
    InboxQuery,
    ProcedureRepository,
    ReportRepository,
)
from lienthong_runtime.ids import new_id
from lienthong_runtime.testing import InMemoryUnitOfWork

FAR = date(9999, 12, 31)


class FakeProcedures(ProcedureRepository):
    def __init__(self, rows: dict[tuple[str, int], Procedure]) -> None:
        self.rows = rows

    async def add(self, procedure: Procedure) -> None:
        self.rows[(procedure.code, procedure.version)] = procedure

    async def get(self, code: str, version: int = 0) -> Procedure | None:
        versions = [p for (c, _), p in self.rows.items() if c == code]
        if version:
            return next((p for p in versions if p.version == version), None)
        return max(versions, key=lambda p: p.version, default=None)

    async def list(self, agency_id: str, after: str, limit: int) -> Sequence[Procedure]:
        codes = sorted({c for c, _ in self.rows if c > after})
        latest = [await self.get(c) for c in codes]
        return [p for p in latest if p and (not agency_id or p.agency_id == agency_id)][:limit]


class FakeDossiers(DossierRepository):
    def __init__(self, rows: dict[str, Dossier], access: list[tuple[str, str, str, str, str]]) -> None:
        self.rows = rows
        self.access = access

    async def add(self, dossier: Dossier) -> None:
        self.rows[dossier.id] = dossier

    async def get(self, dossier_id: str, *, for_update: bool = False) -> Dossier | None:
        return self.rows.get(dossier_id)

    async def by_idempotency_key(self, citizen_pid: str, key: str) -> Dossier | None:
        return next(
            (d for d in self.rows.values() if d.citizen_pid == citizen_pid and d.idempotency_key == key), None
        )

    async def by_payment_reference(self, reference: str) -> Dossier | None:
        return next((d for d in self.rows.values() if d.payment_reference == reference), None)

    async def code_taken(self, code: str) -> bool:
        return any(d.code == code for d in self.rows.values())

    async def save_part(self, part: Part) -> None:
        self.rows[part.dossier_id] = self.rows[part.dossier_id].with_part(part)

    async def save_dossier(self, dossier: Dossier) -> None:
        stored = self.rows[dossier.id]
        self.rows[dossier.id] = replace(
            stored, form=dossier.form, fee_paid=dossier.fee_paid, complete_time=dossier.complete_time
        )

    async def add_apology(self, part: Part, apology: Apology) -> None:
        d = self.rows[part.dossier_id]
        stored = next(p for p in d.parts if p.id == part.id)
        self.rows[d.id] = d.with_part(replace(stored, apologies=(*stored.apologies, apology)))

    async def of_citizen(self, citizen_pid: str, after, limit: int) -> Sequence[Dossier]:  # type: ignore[no-untyped-def]
        mine = sorted(
            (d for d in self.rows.values() if d.citizen_pid == citizen_pid),
            key=lambda d: (d.file_time, d.id),
            reverse=True,
        )
        if after is not None:
            mine = [d for d in mine if (d.file_time, d.id) < after]
        return mine[:limit]

    async def inbox(self, query: InboxQuery) -> Sequence[tuple[Dossier, Part]]:
        found = [
            (d, p)
            for d in self.rows.values()
            for p in d.parts
            if p.agency_id == query.agency_id
            and (query.state is None or p.state is query.state)
            and (not query.officer_id or p.officer_id == query.officer_id)
        ]
        found.sort(key=lambda dp: (dp[1].due_date or FAR, dp[1].id))
        if query.after is not None:
            key = (date.fromisoformat(query.after[0]) if query.after[0] else FAR, query.after[1])
            found = [dp for dp in found if (dp[1].due_date or FAR, dp[1].id) > key]
        return found[: query.limit]

    async def overdue_without_apology(self, today: date, limit: int) -> Sequence[str]:
        return [
            d.id
            for d in self.rows.values()
            if any(
                p.state in (PartState.RECEIVED, PartState.PROCESSING, PartState.APPROVED)
                and p.due_date
                and p.due_date < today
                and not p.apologies
                for p in d.parts
            )
        ][:limit]

    async def open_late_by_agency(self, today: date) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.rows.values():
            for p in d.parts:
                if p.state in (PartState.RECEIVED, PartState.PROCESSING, PartState.APPROVED) and p.late_on(
                    today
                ):
                    counts[p.agency_id] = counts.get(p.agency_id, 0) + 1
        return counts

    async def log_access(self, dossier_id, actor_kind, actor, agency_id, action, now) -> None:  # type: ignore[no-untyped-def]
        self.access.append((dossier_id, actor_kind, actor, agency_id, action))

    async def access_count(self, dossier_id: str) -> int:
        return sum(1 for a in self.access if a[0] == dossier_id)


class FakeReports(ReportRepository):
    def __init__(self, rows: dict[str, Dossier]) -> None:
        self.rows = rows

    def _parts(self) -> list[tuple[Dossier, Part]]:
        return [(d, p) for d in self.rows.values() for p in d.parts]

    async def on_time(self, query: ReportQuery) -> Sequence[ReportRow]:
        groups: dict[tuple[str, str, str], list[Part]] = {}
        for _, p in self._parts():
            if p.received_at is None:
                continue
            day = local_date(p.received_at)
            if not query.start <= day <= query.end:
                continue
            if (query.agency_id and p.agency_id != query.agency_id) or (
                query.procedure_code and p.procedure_code != query.procedure_code
            ):
                continue
            groups.setdefault((p.agency_id, p.procedure_code, day.strftime("%Y-%m")), []).append(p)
        out = []
        for (agency, code, period), ps in sorted(groups.items()):
            done = [p for p in ps if p.completed_at is not None]
            on_time = sum(1 for p in done if p.due_date and local_date(p.completed_at) <= p.due_date)  # type: ignore[arg-type]
            late = sum(1 for p in ps if p.late_on(query.today))
            used = [p.working_days_used for p in done if p.working_days_used is not None]
            out.append(
                ReportRow(
                    agency,
                    code,
                    period,
                    len(ps),
                    on_time,
                    late,
                    round(sum(used) / len(used), 2) if used else 0.0,
                )
            )
        return out

    async def late(self, agency_id: str, today: date, after, limit: int) -> Sequence[LateRow]:  # type: ignore[no-untyped-def]
        rows = []
        for d, p in sorted(self._parts(), key=lambda dp: (dp[1].due_date or FAR, dp[1].id)):
            if (agency_id and p.agency_id != agency_id) or not p.late_on(today) or p.due_date is None:
                continue
            waited = [h for h in p.history if h.time <= end_of_day(p.due_date)]
            rows.append(
                LateRow(
                    d.id,
                    d.code,
                    p.id,
                    p.agency_id,
                    p.procedure_code,
                    p.due_date,
                    waited[-1].state if waited else PartState.RECEIVED,
                    p.officer_id,
                    p.completed_at is not None,
                    p.apologies[-1].new_date if p.apologies else None,
                )
            )
        return rows[:limit]


class FakeCalendar(CalendarRepository):
    def __init__(self, days: dict[date, str]) -> None:
        self.rows = days

    async def days(self) -> tuple[frozenset[date], frozenset[date]]:
        return (
            frozenset(d for d, k in self.rows.items() if k == "working"),
            frozenset(d for d, k in self.rows.items() if k == "off"),
        )

    async def replace_year(self, year: int, working, off) -> None:  # type: ignore[no-untyped-def]
        for d in [d for d in self.rows if d.year == year]:
            del self.rows[d]
        self.rows.update({d: "working" for d in working})
        self.rows.update({d: "off" for d in off})


class FakeLedger(EventLedger):
    def __init__(self, processed: set[tuple[str, str]], documents: dict[str, str]) -> None:
        self.processed = processed
        self.documents = documents

    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        if (consumer, event_id) in self.processed:
            return False
        self.processed.add((consumer, event_id))
        return True

    async def add_document(self, document_id: str, sender_agency_id: str, now: datetime) -> None:
        self.documents.setdefault(document_id, sender_agency_id)

    async def document_sender(self, document_id: str) -> str | None:
        return self.documents.get(document_id)


class FakeAttachments(AttachmentRepository):
    def __init__(self, rows: dict[str, tuple[Attachment, str, list[bytes]]]) -> None:
        self.rows = rows

    async def add(self, attachment, owner_pid, pieces, now) -> None:  # type: ignore[no-untyped-def]
        self.rows[attachment.id] = (attachment, owner_pid, list(pieces))

    async def owned(self, ids, owner_pid) -> set[str]:  # type: ignore[no-untyped-def]
        return {i for i in ids if i in self.rows and self.rows[i][1] == owner_pid}

    async def get(self, attachment_id: str) -> Attachment | None:
        row = self.rows.get(attachment_id)
        return row[0] if row else None

    async def content(self, attachment_id: str) -> list[bytes]:
        return list(self.rows[attachment_id][2])


class FakeDossiersUnitOfWork(InMemoryUnitOfWork, DossiersUnitOfWork):
    state = ("procedure_rows", "dossier_rows", "access", "days", "processed", "documents", "attachment_rows")

    def __init__(self) -> None:
        super().__init__()
        self.procedure_rows: dict[tuple[str, int], Procedure] = {}
        self.dossier_rows: dict[str, Dossier] = {}
        self.access: list[tuple[str, str, str, str, str]] = []
        self.days: dict[date, str] = {}
        self.processed: set[tuple[str, str]] = set()
        self.documents: dict[str, str] = {}
        self.attachment_rows: dict[str, tuple[Attachment, str, list[bytes]]] = {}
        self.attachments = FakeAttachments(self.attachment_rows)
        self.procedures = FakeProcedures(self.procedure_rows)
        self.dossiers = FakeDossiers(self.dossier_rows, self.access)
        self.reports = FakeReports(self.dossier_rows)
        self.calendar = FakeCalendar(self.days)
        self.ledger = FakeLedger(self.processed, self.documents)


class FakeClock:
    """A settable clock (aware UTC)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: date, hour: int = 9) -> None:
        """9:00 Vietnam time on ``day`` by default."""
        self.now = (
            datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)
            if hour >= 7
            else (datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=7 - hour))
        )


def fake_deps(clock: FakeClock) -> Deps:
    from lienthong_dossiers.domain.calendar import vietnam_holidays

    return Deps(holidays=vietnam_holidays(), clock=clock, new_id=new_id, new_code=new_code)
