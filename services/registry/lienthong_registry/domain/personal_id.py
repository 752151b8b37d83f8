"""The 12-digit personal identification number (số định danh cá nhân) and its consistency rules.

Layout: digits 1-3 the pre-2025 code of the province where the birth was registered, digit 4 century and sex
(0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, ...), digits 5-6 the last two digits of the birth year,
digits 7-12 random.
"""

from __future__ import annotations

import datetime as dt

from .sex import Sex

#: Province codes of birth registration (Circular 07/2016/TT-BCA, the 63 provinces before the 2025 merger).
#: The numbering has gaps (003, 005, 007, ... were never assigned).
BIRTH_PROVINCE_CODES: frozenset[str] = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096".split()
)

FIELD = "personal_id"


def format_problem(personal_id: str) -> str | None:
    """What is wrong with the shape of ``personal_id`` (length, digits, province code), or None."""
    if len(personal_id) != 12:
        return f"must be exactly 12 digits (got {len(personal_id)} characters)"
    if not personal_id.isascii() or not personal_id.isdigit():
        return "must contain only the digits 0-9"
    if personal_id[:3] not in BIRTH_PROVINCE_CODES:
        return f"digits 1-3 ({personal_id[:3]}) are not a province code of birth registration (001-096)"
    return None


def century_sex_digit(birth_year: int, sex: Sex) -> int | None:
    """The 4th digit for a birth year and sex; None when the year cannot be encoded (before 1900, after 2399)."""
    century = birth_year // 100 - 19
    if not 0 <= century <= 4:
        return None
    return 2 * century + (1 if sex == Sex.FEMALE else 0)


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
