"""Consistency of the 12-digit personal identification number with a record's date of birth and sex.

The number's layout and shape checks are the runtime's (:mod:`lienthong_runtime.personal_id`), shared with
identity; this module adds what only the registry knows: the record it must agree with.
"""

from __future__ import annotations

import datetime as dt

from lienthong_runtime.personal_id import BIRTH_PROVINCE_CODES, format_problem
from lienthong_runtime.personal_id import century_sex_digit as _digit

from .sex import Sex

__all__ = ["BIRTH_PROVINCE_CODES", "FIELD", "century_sex_digit", "consistency_problem", "format_problem"]

FIELD = "personal_id"


def century_sex_digit(birth_year: int, sex: Sex) -> int | None:
    """The 4th digit for a birth year and sex; None when the year cannot be encoded (before 1900, after 2399)."""
    return _digit(birth_year, sex == Sex.FEMALE)


def consistency_problem(personal_id: str, birth: dt.date, sex: Sex) -> str | None:
    """What contradicts the date of birth or sex in a well-formed ``personal_id``, or None."""
    expected = century_sex_digit(birth.year, sex)
    if expected is None:
        return f"a birth year of {birth.year} cannot be encoded (1900-2399 only)"
    if int(personal_id[3]) != expected:
        return (
            f"digit 4 ({personal_id[3]}) does not match the century of birth and sex "
            f"(expected {expected} for {birth.year}, {sex.name.lower()})"
        )
    if personal_id[4:6] != f"{birth.year % 100:02d}":
        return f"digits 5-6 ({personal_id[4:6]}) do not match the birth year {birth.year}"
    return None
