"""Validation of a citizen record before it is stored: every rule reports a precise field violation."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import replace
from typing import Any

from lienthong_runtime.errors import FieldViolation, InvalidArgument

from . import divisions, personal_id
from .citizen import Address, Citizen
from .names import stored_name
from .sex import HouseholdRelation, LifeStatus, Sex

MAX_NAME = 150
MAX_DETAIL = 300
MAX_HOUSEHOLD_ID = 64
_NATIONALITY = re.compile(r"^[A-Z]{2}$")
_HOUSEHOLD_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_NAME_PUNCTUATION = frozenset(" '-.")


def _name_problem(name: str) -> str | None:
    if not name:
        return "must not be empty"
    if len(name) > MAX_NAME:
        return f"must be at most {MAX_NAME} characters (got {len(name)})"
    for ch in name:
        if ch not in _NAME_PUNCTUATION and unicodedata.category(ch)[0] not in "LM":
            return f"contains a character not allowed in a name (U+{ord(ch):04X})"
    return None


def _free_text_problem(text: str, limit: int) -> str | None:
    if len(text) > limit:
        return f"must be at most {limit} characters (got {len(text)})"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        return "contains control or format characters"
    return None


def _address(field: str, a: Address, out: list[FieldViolation]) -> Address:
    detail = stored_name(a.detail) if a.detail else ""
    problem = _free_text_problem(detail, MAX_DETAIL)
    if problem:
        out.append(FieldViolation(f"{field}.detail", problem))
    if not (a.province_code.isascii() and a.province_code.isdigit() and len(a.province_code) <= 2):
        out.append(FieldViolation(f"{field}.province_code", "must be a 2-digit province code"))
        return a
    if not (a.ward_code.isascii() and a.ward_code.isdigit() and len(a.ward_code) <= 5):
        out.append(FieldViolation(f"{field}.ward_code", "must be a 5-digit commune/ward code"))
        return a
    province, ward = int(a.province_code), int(a.ward_code)
    if province not in divisions.province_codes():
        out.append(
            FieldViolation(f"{field}.province_code", "is not one of the 34 provinces of the 2025 list")
        )
    elif ward not in divisions.ward_provinces():
        out.append(
            FieldViolation(f"{field}.ward_code", "is not a commune/ward code of the official 2025 list")
        )
    elif divisions.ward_provinces()[ward] != province:
        out.append(FieldViolation(f"{field}.ward_code", "does not belong to the given province"))
    return Address(f"{province:02d}", f"{ward:05d}", detail)


def _dates(c: Citizen, today: dt.date, prefix: str, out: list[FieldViolation]) -> None:
    birth = c.date_of_birth
    if birth is None:
        out.append(FieldViolation(f"{prefix}date_of_birth", "is required"))
    elif birth > today:
        out.append(FieldViolation(f"{prefix}date_of_birth", "must not be in the future"))
    if c.life_status is LifeStatus.DECEASED:
        death = c.date_of_death
        if death is None:
            out.append(FieldViolation(f"{prefix}date_of_death", "is required when the citizen is deceased"))
        elif death > today:
            out.append(FieldViolation(f"{prefix}date_of_death", "must not be in the future"))
        elif birth is not None and death < birth:
            out.append(FieldViolation(f"{prefix}date_of_death", "must not be before the date of birth"))
    elif c.life_status is LifeStatus.ALIVE and c.date_of_death is not None:
        out.append(FieldViolation(f"{prefix}date_of_death", "must be empty unless the citizen is deceased"))
    elif c.life_status is LifeStatus.UNSPECIFIED:
        out.append(FieldViolation(f"{prefix}life_status", "is required"))


def _identity(c: Citizen, today: dt.date, prefix: str, out: list[FieldViolation]) -> None:
    problem = personal_id.format_problem(c.personal_id)
    if (
        problem is None
        and c.date_of_birth is not None
        and c.date_of_birth <= today
        and c.sex is not Sex.UNSPECIFIED
    ):
        problem = personal_id.consistency_problem(c.personal_id, c.date_of_birth, c.sex)
    if problem:
        out.append(FieldViolation(f"{prefix}personal_id", problem))
    if c.sex is Sex.UNSPECIFIED:
        out.append(FieldViolation(f"{prefix}sex", "is required"))
    if not _NATIONALITY.match(c.nationality):
        out.append(FieldViolation(f"{prefix}nationality", "must be an ISO 3166-1 alpha-2 code such as VN"))


def _household(c: Citizen, prefix: str, out: list[FieldViolation]) -> None:
    if c.household_id:
        if len(c.household_id) > MAX_HOUSEHOLD_ID or not _HOUSEHOLD_ID.match(c.household_id):
            out.append(
                FieldViolation(
                    f"{prefix}household_id", f"must be 1-{MAX_HOUSEHOLD_ID} letters, digits, '-' or '_'"
                )
            )
        if c.household_relation is HouseholdRelation.UNSPECIFIED:
            out.append(FieldViolation(f"{prefix}household_relation", "is required when household_id is set"))
    elif c.household_relation is not HouseholdRelation.UNSPECIFIED:
        out.append(FieldViolation(f"{prefix}household_relation", "must be empty when household_id is empty"))


def validate(c: Citizen, today: dt.date, *, prefix: str = "citizen.") -> Citizen:
    """The record in stored form (NFC name, canonical codes), or InvalidArgument listing every violation."""
    out: list[FieldViolation] = []
    name = stored_name(c.full_name)
    problem = _name_problem(name)
    if problem:
        out.append(FieldViolation(f"{prefix}full_name", problem))
    _identity(c, today, prefix, out)
    _dates(c, today, prefix, out)
    _household(c, prefix, out)
    addresses: dict[str, Any] = {}
    for field in ("place_of_birth", "permanent_address", "current_address"):
        value = getattr(c, field)
        if value is not None:
            addresses[field] = _address(f"{prefix}{field}", value, out)
    if c.permanent_address is None:
        out.append(FieldViolation(f"{prefix}permanent_address", "is required"))
    if out:
        raise InvalidArgument("the citizen record is invalid", reason="CITIZEN_INVALID", field_violations=out)
    return replace(c, full_name=name, **addresses)
