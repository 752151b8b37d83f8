"""Rows of the dossier tables <-> domain objects."""

from __future__ import annotations

from typing import Any

from ..domain.calendar import local_date
from ..domain.dossiers import Apology, HistoryEntry, Part, PartState


def part_values(part: Part) -> dict[str, Any]:
    received_on = local_date(part.received_at) if part.received_at else None
    return {
        "state": part.state.name,
        "received_at": part.received_at,
        "received_on": received_on,
        "period": received_on.strftime("%Y-%m") if received_on else "",
        "due_date": part.due_date,
        "remaining_days": part.remaining_days,
        "paused_on": part.paused_on,
        "paused_days": part.paused_days,
        "completed_at": part.completed_at,
        "completed_on": local_date(part.completed_at) if part.completed_at else None,
        "working_days_used": part.working_days_used,
        "officer_id": part.officer_id,
        "reason": part.reason,
        "result_document_id": part.result_document_id,
        "apologised": bool(part.apologies),
    }


def part_of(p: Any, steps: tuple[HistoryEntry, ...], letters: tuple[Apology, ...]) -> Part:
    """A part from its row, its history and its apology letters."""
    return Part(
        p.id,
        p.dossier_id,
        p.seq,
        p.agency_id,
        p.title,
        p.working_days,
        PartState[p.state],
        p.procedure_code,
        p.received_at,
        p.due_date,
        p.remaining_days,
        p.paused_on,
        p.paused_days,
        p.completed_at,
        p.working_days_used,
        p.officer_id,
        p.reason,
        p.result_document_id,
        steps,
        letters,
    )
