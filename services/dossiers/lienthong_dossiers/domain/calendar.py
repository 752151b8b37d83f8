"""Working days on Vietnam's official calendar, and deadlines counted in them.

A working day is Monday to Friday that is neither a public holiday (the ``holidays`` package's Vietnam calendar:
New Year, Tết on the lunar calendar, Hùng Kings' day, 30 April, 1 May, National Day, with the compensatory days
it knows) nor an extra day off the operator declared; plus the weekend days the operator declared make-up
working days (làm bù). The Government decides those every year, so they are data, not code.

A legal time of N working days runs from the day after receipt: the deadline is the Nth working day after the
receipt date. While the citizen is asked to supplement, the clock is paused: the working days left at the
request are counted again from the day the citizen supplies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

#: Vietnam time (UTC+7, no daylight saving): deadlines and report periods are in local dates.
VIETNAM = timezone(timedelta(hours=7), "ICT")
#: Longest legal time a procedure may declare, in working days.
MAX_WORKING_DAYS = 365


def local_date(moment: datetime) -> date:
    """The date in Vietnam of an aware instant."""
    return moment.astimezone(VIETNAM).date()


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Vietnam, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=VIETNAM).astimezone(UTC) + timedelta(
        days=1, microseconds=-1
    )


@dataclass(frozen=True)
class WorkingCalendar:
    """``is_holiday(day)`` is the statutory holiday calendar; ``make_up`` and ``days_off`` are the operator's."""

    is_holiday: Callable[[date], bool]
    make_up: frozenset[date] = field(default_factory=frozenset)
    days_off: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.make_up:
            return True
        return day.weekday() < 5 and not self.is_holiday(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself never counts); ``start`` when 0."""
        day, left = start, count
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i))
        )


def vietnam_holidays(years: Iterable[int] = ()) -> Callable[[date], bool]:
    """Vietnam's statutory holidays from the ``holidays`` package (lunar dates computed by it)."""
    import holidays

    calendar = holidays.country_holidays("VN", years=list(years) or None)
    return lambda day: day in calendar


@dataclass(frozen=True)
class Clock:
    """Where a part stands against its legal time."""

    due: date
    #: Working days left when a supplement was requested (None when not paused).
    remaining: int | None = None


def deadline(calendar: WorkingCalendar, received_on: date, working_days: int) -> date:
    return calendar.add_working_days(received_on, working_days)


def pause(calendar: WorkingCalendar, due: date, asked_on: date) -> int:
    """Working days left at a supplement request (0 when the deadline has already come)."""
    return max(calendar.working_days_between(asked_on, due), 0)


def resume(calendar: WorkingCalendar, due: date, remaining: int, supplied_on: date) -> date:
    """The deadline after the citizen supplied: the working days left, counted again from the supply date. A
    part already at or past its deadline when the supplement was asked keeps its deadline: a request for a
    supplement never hides a delay."""
    if remaining <= 0:
        return due
    return max(due, calendar.add_working_days(supplied_on, remaining))
