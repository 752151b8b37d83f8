"""Calendar dates as they arrive in requests (year, month, day; all zero = absent)."""

from __future__ import annotations

import datetime as dt

from lienthong_runtime.errors import invalid


def make_date(field: str, year: int, month: int, day: int) -> dt.date | None:
    """The date, None when all three parts are zero, or InvalidArgument for a date that does not exist."""
    if year == month == day == 0:
        return None
    if not 1 <= year <= 9999:
        raise invalid(field, "year must be 1 to 9999", reason="DATE_INVALID")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise invalid(
            field, f"{year:04d}-{month:02d}-{day:02d} is not a calendar date", reason="DATE_INVALID"
        ) from None


#: Stored times are microseconds since the Unix epoch (UTC), identical on SQLite and PostgreSQL.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_us(when: dt.datetime) -> int:
    return (when - EPOCH) // dt.timedelta(microseconds=1)


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)
