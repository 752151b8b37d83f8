"""Dossiers and their parts: forward-only states with their history, deadlines and apology letters.

A filing is one :class:`Dossier` with one :class:`Part` per agency that must act (one for a simple procedure,
several for a linked one). Each part moves forward through :data:`NEXT`; the supplement loop is the only way back
(PROCESSING -> AWAITING_SUPPLEMENT -> PROCESSING). The dossier's own state is derived from its parts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from lienthong_runtime.errors import FailedPrecondition, NotFound

from .calendar import WorkingCalendar, deadline, local_date, pause, resume


class PartState(enum.Enum):
    AWAITING_PAYMENT = 1
    RECEIVED = 2
    PROCESSING = 3
    AWAITING_SUPPLEMENT = 4
    APPROVED = 5
    REJECTED = 6
    RESULT_RETURNED = 7


class DossierState(enum.Enum):
    AWAITING_PAYMENT = 1
    IN_PROGRESS = 2
    COMPLETED = 3


FINAL = frozenset({PartState.REJECTED, PartState.RESULT_RETURNED})
#: Where each state may go next.
NEXT: dict[PartState, frozenset[PartState]] = {
    PartState.AWAITING_PAYMENT: frozenset({PartState.RECEIVED}),
    PartState.RECEIVED: frozenset({PartState.PROCESSING, PartState.AWAITING_SUPPLEMENT, PartState.REJECTED}),
    PartState.PROCESSING: frozenset(
        {PartState.PROCESSING, PartState.AWAITING_SUPPLEMENT, PartState.APPROVED, PartState.REJECTED}
    ),
    PartState.AWAITING_SUPPLEMENT: frozenset({PartState.PROCESSING, PartState.REJECTED}),
    PartState.APPROVED: frozenset({PartState.RESULT_RETURNED}),
    PartState.REJECTED: frozenset(),
    PartState.RESULT_RETURNED: frozenset(),
}


def not_found() -> NotFound:
    return NotFound("no such dossier", reason="DOSSIER_NOT_FOUND")


@dataclass(frozen=True)
class HistoryEntry:
    state: PartState
    actor: str
    agency_id: str
    time: datetime
    reason: str = ""


@dataclass(frozen=True)
class Apology:
    text: str
    time: datetime
    #: The new date for returning the result that the letter names (hẹn lại ngày trả kết quả).
    new_date: date | None = None


@dataclass(frozen=True)
class Part:
    id: str
    dossier_id: str
    seq: int
    agency_id: str
    title: str
    working_days: int
    state: PartState
    procedure_code: str
    received_at: datetime | None = None
    due_date: date | None = None
    #: Working days left when the clock was paused for a supplement.
    remaining_days: int | None = None
    paused_on: date | None = None
    paused_days: int = 0
    completed_at: datetime | None = None
    working_days_used: int | None = None
    officer_id: str = ""
    reason: str = ""
    result_document_id: str = ""
    history: tuple[HistoryEntry, ...] = ()
    apologies: tuple[Apology, ...] = ()

    def late_on(self, today: date) -> bool:
        """Completed after its deadline, or open (and not paused) past it."""
        if self.due_date is None:
            return False
        if self.completed_at is not None:
            return local_date(self.completed_at) > self.due_date
        return self.state is not PartState.AWAITING_SUPPLEMENT and today > self.due_date


@dataclass(frozen=True)
class Dossier:
    id: str
    code: str
    procedure_code: str
    procedure_version: int
    procedure_name: str
    #: The filing citizen's personal ID (sealed at rest, found by a blind index).
    citizen_pid: str
    form: dict[str, str]
    fee_vnd: int
    fee_agency_id: str
    payment_reference: str
    fee_paid: bool
    file_time: datetime
    parts: tuple[Part, ...] = ()
    complete_time: datetime | None = None
    idempotency_key: str = ""
    request_hash: str = ""

    @property
    def state(self) -> DossierState:
        if any(p.state is PartState.AWAITING_PAYMENT for p in self.parts):
            return DossierState.AWAITING_PAYMENT
        if self.parts and all(p.state in FINAL for p in self.parts):
            return DossierState.COMPLETED
        return DossierState.IN_PROGRESS

    def part_of(self, agency_id: str) -> Part:
        """The part addressed to ``agency_id``; NOT_FOUND for an agency the dossier is not addressed to."""
        for part in self.parts:
            if part.agency_id == agency_id:
                return part
        raise not_found()

    def seen_by_agency(self, agency_id: str) -> Dossier:
        """The dossier with only the agency's own parts."""
        return replace(self, parts=tuple(p for p in self.parts if p.agency_id == agency_id))

    def with_part(self, part: Part) -> Dossier:
        return replace(self, parts=tuple(part if p.id == part.id else p for p in self.parts))


def move(part: Part, to: PartState, actor: str, now: datetime, reason: str = "") -> Part:
    """``part`` in state ``to`` with the history row; FAILED_PRECONDITION (STATE_TRANSITION_INVALID) when the
    move is not forward."""
    if to not in NEXT[part.state]:
        raise FailedPrecondition(
            f"a part in {part.state.name} cannot become {to.name}",
            reason="STATE_TRANSITION_INVALID",
            metadata={"state": part.state.name},
        )
    entry = HistoryEntry(to, actor, part.agency_id, now, reason)
    return replace(part, state=to, history=(*part.history, entry))


def receive(part: Part, calendar: WorkingCalendar, actor: str, now: datetime) -> Part:
    moved = move(part, PartState.RECEIVED, actor, now)
    return replace(moved, received_at=now, due_date=deadline(calendar, local_date(now), part.working_days))


def ask_supplement(part: Part, calendar: WorkingCalendar, actor: str, now: datetime, reason: str) -> Part:
    moved = move(part, PartState.AWAITING_SUPPLEMENT, actor, now, reason)
    assert part.due_date is not None
    today = local_date(now)
    return replace(
        moved, reason=reason, remaining_days=pause(calendar, part.due_date, today), paused_on=today
    )


def supplied(part: Part, calendar: WorkingCalendar, now: datetime) -> Part:
    moved = move(part, PartState.PROCESSING, "citizen", now)
    assert part.due_date is not None and part.paused_on is not None and part.remaining_days is not None
    today = local_date(now)
    lost = max(calendar.working_days_between(part.paused_on, today), 0)
    return replace(
        moved,
        due_date=resume(calendar, part.due_date, part.remaining_days, today),
        remaining_days=None,
        paused_on=None,
        paused_days=part.paused_days + lost,
    )


def complete(
    part: Part, to: PartState, calendar: WorkingCalendar, actor: str, now: datetime, reason: str = ""
) -> Part:
    """A final move, with the working days the part took (pauses excluded)."""
    moved = move(part, to, actor, now, reason)
    used = None
    if part.received_at is not None:
        elapsed = calendar.working_days_between(local_date(part.received_at), local_date(now))
        used = max(elapsed - part.paused_days, 0)
    return replace(moved, completed_at=now, working_days_used=used, reason=reason or part.reason)


def new_appointment(part: Part, calendar: WorkingCalendar, today: date) -> date:
    """The new date for returning the result that the apology letter names: today for a part completed late (its
    result or refusal goes out with the letter); for an open part, one more legal processing time of the part
    counted in working days from the day of the letter (our rule: the decree has the agency name a date, the
    store did not say how it is set; see the README)."""
    if part.completed_at is not None:
        return today
    return deadline(calendar, today, part.working_days)


def apology_text(dossier: Dossier, part: Part, agency_name: str, today: date, new_date: date) -> str:
    """The "Phiếu xin lỗi và hẹn lại ngày trả kết quả" an agency owes for a missed deadline under the one-stop-shop
    mechanism (Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP; see the service README for what was
    confirmed): it names the dossier, the deadline missed, apologises and gives the new date for the result."""
    due = part.due_date.strftime("%d/%m/%Y") if part.due_date else ""
    return (
        f"{agency_name}\n"
        f"PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ\n"
        f"Kính gửi: Ông/Bà người nộp hồ sơ {dossier.code}.\n"
        f"Hồ sơ {dossier.code} ({dossier.procedure_name} — {part.title}) có hạn giải quyết ngày {due} "
        f"nhưng đến ngày {today.strftime('%d/%m/%Y')} chưa được giải quyết đúng hạn.\n"
        f"Cơ quan xin lỗi Ông/Bà vì sự chậm trễ này và hẹn lại ngày trả kết quả là ngày "
        f"{new_date.strftime('%d/%m/%Y')}.\n"
        f"(Theo quy định tại Nghị định số 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định số 107/2021/NĐ-CP.)"
    )


def apology_for(dossier: Dossier, part: Part, calendar: WorkingCalendar, now: datetime) -> Apology:
    """The letter owed for ``part`` at ``now``, with its new appointment date."""
    today = local_date(now)
    new_date = new_appointment(part, calendar, today)
    return Apology(apology_text(dossier, part, part.agency_id, today, new_date), now, new_date)


@dataclass
class Filing:
    """What a citizen asks for, with the hash that makes a replayed idempotency key safe."""

    procedure_code: str
    form: dict[str, str] = field(default_factory=dict)
    idempotency_key: str = ""
