"""The on-time report (the report the slow cannot hide): rows per agency, procedure and month, and late parts."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .dossiers import PartState


@dataclass(frozen=True)
class ReportQuery:
    start: date
    end: date
    today: date
    procedure_code: str = ""
    #: Empty: every agency (operator only).
    agency_id: str = ""


@dataclass(frozen=True)
class ReportRow:
    agency_id: str
    procedure_code: str
    period: str
    received: int
    on_time: int
    late: int
    average_working_days: float


@dataclass(frozen=True)
class LateRow:
    dossier_id: str
    code: str
    part_id: str
    agency_id: str
    procedure_code: str
    due_date: date
    waited_in: PartState
    officer_id: str
    completed: bool
    #: The new appointment date of the part's apology letter (None before the letter is issued).
    new_appointment_date: date | None = None


HEADER = ("agency_id", "procedure_code", "period", "received", "on_time", "late", "average_working_days")


def to_csv(rows: Sequence[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow(
            (
                r.agency_id,
                r.procedure_code,
                r.period,
                r.received,
                r.on_time,
                r.late,
                f"{r.average_working_days:.2f}",
            )
        )
    return out.getvalue()
