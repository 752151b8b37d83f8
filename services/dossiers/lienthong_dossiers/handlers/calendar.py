"""The operator's calendar: make-up working days and extra days off of a year."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lienthong_runtime.errors import FieldViolation, InvalidArgument, invalid

from .ports import DossiersUnitOfWork


async def set_make_up_days(
    uow: DossiersUnitOfWork, year: int, working: Sequence[date | None], off: Sequence[date | None]
) -> tuple[list[date], list[date]]:
    """Replace the year's make-up working days (which must fall on a weekend) and extra days off."""
    if not 2000 <= year <= 2100:
        raise invalid("year", "must be between 2000 and 2100")
    problems = []
    for name, days in (("working_days", working), ("days_off", off)):
        for i, day in enumerate(days):
            if day is None or day.year != year:
                problems.append(FieldViolation(f"{name}[{i}]", f"must be a valid date in {year}"))
            elif name == "working_days" and day.weekday() < 5:
                problems.append(FieldViolation(f"{name}[{i}]", "a make-up working day falls on a weekend"))
    clean_working = sorted({d for d in working if d is not None})
    clean_off = sorted({d for d in off if d is not None})
    if set(clean_working) & set(clean_off):
        problems.append(FieldViolation("days_off", "a day cannot be both a working day and a day off"))
    if problems:
        raise InvalidArgument(
            "the calendar is not valid", reason="CALENDAR_INVALID", field_violations=problems
        )
    async with uow:
        await uow.calendar.replace_year(year, clean_working, clean_off)
    return clean_working, clean_off
