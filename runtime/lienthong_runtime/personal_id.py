"""The Vietnamese personal identification number (số định danh cá nhân): one reading for every service.

12 digits. Digits 1-3: the code of the province where the birth was registered (the 63 pre-2025 provinces,
Circular 07/2016/TT-BCA; the numbering has gaps); digit 4: century and sex (0/1 = 1900s male/female,
2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s, 8/9 = 2300s); digits 5-6: the last two digits of the birth year;
digits 7-12: random. Pure Python: domain code may import it.
"""

from __future__ import annotations

from dataclasses import dataclass

BIRTH_PROVINCE_CODES: frozenset[str] = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096".split()
)


@dataclass(frozen=True)
class PersonalIdParts:
    province_code: str
    birth_year: int
    female: bool


def format_problem(personal_id: str) -> str | None:
    """What is wrong with the shape of ``personal_id`` (length, digits, province code), or None."""
    if len(personal_id) != 12:
        return f"must be exactly 12 digits (got {len(personal_id)} characters)"
    if not personal_id.isascii() or not personal_id.isdigit():
        return "must contain only the digits 0-9"
    if personal_id[:3] not in BIRTH_PROVINCE_CODES:
        return f"digits 1-3 ({personal_id[:3]}) are not a province code of birth registration (001-096)"
    return None


def decode(personal_id: str) -> PersonalIdParts:
    """Province, birth year and sex encoded in a well-formed ``personal_id`` (check :func:`format_problem` first)."""
    marker = int(personal_id[3])
    year = 1900 + 100 * (marker // 2) + int(personal_id[4:6])
    return PersonalIdParts(personal_id[:3], year, marker % 2 == 1)


def century_sex_digit(birth_year: int, female: bool) -> int | None:
    """The 4th digit for a birth year and sex; None when the year cannot be encoded (before 1900, after 2399)."""
    century = birth_year // 100 - 19
    if not 0 <= century <= 4:
        return None
    return 2 * century + (1 if female else 0)
