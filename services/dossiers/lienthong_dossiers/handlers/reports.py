"""The on-time report and the late list; an agency sees its own rows, the operator everyone's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lienthong_runtime.errors import invalid
from lienthong_runtime.paging import decode_cursor, encode_cursor

from ..domain.calendar import local_date
from ..domain.report import LateRow, ReportQuery, ReportRow, to_csv
from .context import Caller, Deps
from .ports import DossiersUnitOfWork

LATE_KIND = "dossiers.ListLateDossiers"
MAX_SPAN_DAYS = 3 * 366


def _scope(caller: Caller, agency_id: str) -> str:
    """The agency whose rows are served: the caller's own, or any (``agency_id``, empty = all) for the operator."""
    return agency_id.strip()[:64] if caller.operator else caller.agency_id


async def on_time(
    uow: DossiersUnitOfWork,
    deps: Deps,
    caller: Caller,
    start: date | None,
    end: date | None,
    procedure_code: str,
    agency_id: str,
    with_csv: bool,
) -> tuple[Sequence[ReportRow], str]:
    if start is None:
        raise invalid("start_date", "is required")
    if end is None:
        raise invalid("end_date", "is required")
    if end < start or (end - start).days > MAX_SPAN_DAYS:
        raise invalid(
            "end_date", f"must not be before start_date nor more than {MAX_SPAN_DAYS} days after it"
        )
    query = ReportQuery(
        start, end, local_date(deps.clock()), procedure_code.strip().upper()[:40], _scope(caller, agency_id)
    )
    async with uow:
        rows = await uow.reports.on_time(query)
    return rows, to_csv(rows) if with_csv else ""


async def late(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, agency_id: str, size: int, token: str
) -> tuple[Sequence[LateRow], str]:
    cursor = decode_cursor(LATE_KIND, token, 2)
    after = (str(cursor[0]), str(cursor[1])) if cursor else None
    async with uow:
        rows = list(
            await uow.reports.late(_scope(caller, agency_id), local_date(deps.clock()), after, size + 1)
        )
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(LATE_KIND, [rows[-1].due_date.isoformat(), rows[-1].part_id]) if more else ""
