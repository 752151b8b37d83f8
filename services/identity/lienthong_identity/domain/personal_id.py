"""The Vietnamese personal identification number (số định danh cá nhân): 12 digits.

Digits 1-3: the province where the birth was registered (pre-2025 codes 001-096); digit 4: century and sex
(0/1 = 20th century male/female, 2/3 = 21st, 4/5 = 22nd, 6/7 = 23rd, 8/9 = 24th); digits 5-6: the
last two digits of the birth year; digits 7-12: random.
"""

from __future__ import annotations

from dataclasses import dataclass

from lienthong_runtime.errors import invalid

#: Province codes of the pre-2025 list (63 provinces) as used in personal ID numbers.
PRE_2025_PROVINCE_CODES = frozenset(
    f"{n:03d}"
    for n in (
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    )
)
#: Century of the birth by the fourth digit's pair (0/1 -> 1900s, 2/3 -> 2000s, ...).
_CENTURY = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}


@dataclass(frozen=True)
class PersonalId:
    value: str
    province_code: str
    birth_year: int
    female: bool


def parse_personal_id(value: str, *, current_year: int, field: str = "personal_id") -> PersonalId:
    """A format-checked personal ID, or INVALID_ARGUMENT with reason PERSONAL_ID_INVALID.

    The birth year must not be in the future (a 21st-century code with year digits beyond this year is wrong).
    """
    value = value.strip()
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise invalid(field, "must be exactly 12 digits", reason="PERSONAL_ID_INVALID")
    province = value[:3]
    if province not in PRE_2025_PROVINCE_CODES:
        raise invalid(field, "digits 1-3 are not a province code", reason="PERSONAL_ID_INVALID")
    marker = int(value[3])
    year = _CENTURY[marker // 2] + int(value[4:6])
    if year > current_year:
        raise invalid(field, "the birth year it encodes is in the future", reason="PERSONAL_ID_INVALID")
    return PersonalId(value=value, province_code=province, birth_year=year, female=marker % 2 == 1)
