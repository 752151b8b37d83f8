"""The citizen record aggregate: its value objects, field names and the plain-data form that is encrypted at rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from .sex import HouseholdRelation, LifeStatus, Sex

#: Field names an agency can be granted (also the names used in update masks and change lists).
DISCLOSABLE_FIELDS: tuple[str, ...] = (
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "place_of_birth",
    "permanent_address",
    "current_address",
    "household_id",
    "household_relation",
    "life_status",
    "date_of_death",
)
ADDRESS_FIELDS = frozenset({"place_of_birth", "permanent_address", "current_address"})
DATE_FIELDS = frozenset({"date_of_birth", "date_of_death"})


@dataclass(frozen=True)
class Address:
    """Province (2-digit code), commune/ward (5-digit code) and free-text detail, in the 2025 structure."""

    province_code: str
    ward_code: str
    detail: str = ""


@dataclass(frozen=True)
class Citizen:
    """One citizen record as registered. ``version`` is 0 until stored."""

    personal_id: str
    full_name: str
    date_of_birth: dt.date | None
    sex: Sex
    nationality: str
    place_of_birth: Address | None
    permanent_address: Address | None
    current_address: Address | None
    household_id: str
    household_relation: HouseholdRelation
    life_status: LifeStatus
    date_of_death: dt.date | None
    version: int = 0
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None

    def value(self, name: str) -> Any:
        """The value of a disclosable field, or None when it has none."""
        value = getattr(self, name)
        if value in ("", None) or (isinstance(value, int) and name != "version" and value == 0):
            return None
        return value

    def set_fields(self) -> list[str]:
        """Disclosable fields that have a value."""
        return [name for name in DISCLOSABLE_FIELDS if self.value(name) is not None]

    def with_version(self, version: int, when: dt.datetime) -> Citizen:
        return replace(self, version=version, update_time=when, create_time=self.create_time or when)


@dataclass(frozen=True)
class VersionMeta:
    """Who wrote a version of a record, when and why."""

    version: int
    created: dt.datetime
    actor_agency_id: str
    actor_client_id: str
    legal_reason: str
    changed_fields: list[str]


def changed_fields(old: Citizen, new: Citizen) -> list[str]:
    """Disclosable fields whose value differs between two versions."""
    return [name for name in DISCLOSABLE_FIELDS if old.value(name) != new.value(name)]


def apply_update(current: Citizen, changes: Citizen, mask: list[str]) -> Citizen:
    """``current`` with the fields named in ``mask`` taken from ``changes`` (mask already checked)."""
    return replace(current, **{name: getattr(changes, name) for name in mask})


def _address_dict(a: Address | None) -> list[str] | None:
    return None if a is None else [a.province_code, a.ward_code, a.detail]


def _address(v: list[str] | None) -> Address | None:
    return None if v is None else Address(*v)


def _date(v: str | None) -> dt.date | None:
    return None if v is None else dt.date.fromisoformat(v)


def to_record(c: Citizen) -> dict[str, Any]:
    """The plain-data form of a record (JSON-able), as encrypted at rest. Output-only times are stored apart."""
    return {
        "personal_id": c.personal_id,
        "full_name": c.full_name,
        "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
        "sex": int(c.sex),
        "nationality": c.nationality,
        "place_of_birth": _address_dict(c.place_of_birth),
        "permanent_address": _address_dict(c.permanent_address),
        "current_address": _address_dict(c.current_address),
        "household_id": c.household_id,
        "household_relation": int(c.household_relation),
        "life_status": int(c.life_status),
        "date_of_death": c.date_of_death.isoformat() if c.date_of_death else None,
    }


def from_record(
    data: dict[str, Any],
    *,
    version: int = 0,
    create_time: dt.datetime | None = None,
    update_time: dt.datetime | None = None,
) -> Citizen:
    """The inverse of :func:`to_record`."""
    return Citizen(
        personal_id=data["personal_id"],
        full_name=data["full_name"],
        date_of_birth=_date(data["date_of_birth"]),
        sex=Sex(data["sex"]),
        nationality=data["nationality"],
        place_of_birth=_address(data["place_of_birth"]),
        permanent_address=_address(data["permanent_address"]),
        current_address=_address(data["current_address"]),
        household_id=data["household_id"],
        household_relation=HouseholdRelation(data["household_relation"]),
        life_status=LifeStatus(data["life_status"]),
        date_of_death=_date(data["date_of_death"]),
        version=version,
        create_time=create_time,
        update_time=update_time,
    )
