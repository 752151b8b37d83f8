"""Working-day deadlines against dates worked out by hand on the 2026-2027 calendars.

The ``holidays`` package gives for Vietnam 2027 (checked when writing this table): New Year Fri 1 Jan; Tết from
Thu 4 Feb (29th of the lunar year) to Wed 10 Feb (the 6th and 7th are a weekend); Hùng Kings Fri 16 Apr;
Fri 30 Apr, Sat 1 May with Mon 3 May observed; National Day Thu 2 and Fri 3 Sep.
"""

from __future__ import annotations

from datetime import date

import pytest

from lienthong_dossiers.domain.calendar import WorkingCalendar, deadline, pause, resume, vietnam_holidays

HOLIDAYS = vietnam_holidays()
VN = WorkingCalendar(HOLIDAYS)


def test_the_library_knows_tet_2027_as_this_table_assumes():
    tet = [date(2027, 2, d) for d in range(4, 11)]
    assert all(HOLIDAYS(d) for d in tet)
    assert not HOLIDAYS(date(2027, 2, 3)) and not HOLIDAYS(date(2027, 2, 11))
    assert HOLIDAYS(date(2027, 4, 16)) and HOLIDAYS(date(2027, 5, 3))


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (date(2026, 12, 7), 5, date(2026, 12, 14)),  # an ordinary week: Tue..Fri, then Monday
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day Friday, then the weekend
        (date(2027, 2, 1), 3, date(2027, 2, 11)),  # Tue 2, Wed 3, then Tết until Wed 10: Thu 11
        (date(2027, 2, 3), 1, date(2027, 2, 11)),  # received the last day before Tết
        (date(2027, 2, 2), 5, date(2027, 2, 16)),  # Wed 3, Thu 11, Fri 12, Mon 15, Tue 16
        (date(2027, 2, 6), 2, date(2027, 2, 12)),  # received on a Tết Saturday: Thu 11, Fri 12
        (date(2027, 4, 15), 2, date(2027, 4, 20)),  # Hùng Kings Fri 16: Mon 19, Tue 20
        (date(2027, 4, 29), 1, date(2027, 5, 4)),  # 30/4 Fri, weekend, 3/5 observed: Tue 4 May
        (date(2027, 2, 2), 0, date(2027, 2, 2)),
    ],
)
def test_deadlines(received, days, due):
    assert deadline(VN, received, days) == due


def test_an_operator_make_up_saturday_counts_and_an_extra_day_off_does_not():
    make_up = WorkingCalendar(HOLIDAYS, make_up=frozenset({date(2027, 2, 13)}))
    assert deadline(make_up, date(2027, 2, 2), 5) == date(
        2027, 2, 15
    )  # Wed 3, Thu 11, Fri 12, Sat 13, Mon 15
    off = WorkingCalendar(HOLIDAYS, days_off=frozenset({date(2027, 2, 12)}))
    assert deadline(off, date(2027, 2, 2), 5) == date(2027, 2, 17)  # Wed 3, Thu 11, Mon 15, Tue 16, Wed 17


def test_working_days_between():
    assert VN.working_days_between(date(2027, 2, 3), date(2027, 2, 16)) == 4  # Thu 11, Fri 12, Mon 15, Tue 16
    assert VN.working_days_between(date(2027, 2, 3), date(2027, 2, 22)) == 8
    assert VN.working_days_between(date(2027, 2, 16), date(2027, 2, 3)) == -4


def test_a_supplement_pause_across_tet_does_not_count():
    due = deadline(VN, date(2027, 2, 2), 5)  # Tue 16 Feb
    left = pause(VN, due, date(2027, 2, 3))  # asked on Wed 3 Feb: Thu 11, Fri 12, Mon 15, Tue 16 are left
    assert left == 4
    # Supplied Mon 22 Feb: the four days count again from there: Tue 23, Wed 24, Thu 25, Fri 26.
    assert resume(VN, due, left, date(2027, 2, 22)) == date(2027, 2, 26)


def test_a_supplement_asked_after_the_deadline_never_moves_it():
    due = deadline(VN, date(2027, 3, 1), 2)  # Wed 3 Mar
    assert due == date(2027, 3, 3)
    left = pause(VN, due, date(2027, 3, 5))
    assert left == 0
    assert resume(VN, due, left, date(2027, 3, 10)) == due
