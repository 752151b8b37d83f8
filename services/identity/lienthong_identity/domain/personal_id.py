"""A citizen account's personal identification number, format-checked by the runtime's shared reading
(:mod:`lienthong_runtime.personal_id`): the registry and identity agree on what a valid number is."""

from __future__ import annotations

from dataclasses import dataclass

from lienthong_runtime.errors import invalid
from lienthong_runtime.personal_id import decode, format_problem


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
    problem = format_problem(value)
    if problem:
        raise invalid(field, problem, reason="PERSONAL_ID_INVALID")
    parts = decode(value)
    if parts.birth_year > current_year:
        raise invalid(field, "the birth year it encodes is in the future", reason="PERSONAL_ID_INVALID")
    return PersonalId(
        value=value, province_code=parts.province_code, birth_year=parts.birth_year, female=parts.female
    )
