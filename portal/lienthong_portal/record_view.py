"""The citizen's record as labelled lines: dates and addresses written out, codes named with the official list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lienthong.registry.v1 import registry_pb2

from .access_view import VIETNAM


def _date(value: object) -> str:
    year, month, day = (getattr(value, k) for k in ("year", "month", "day"))
    return f"{day:02d}/{month:02d}/{year:04d}" if year else ""


def _address(address: registry_pb2.Address) -> str:
    from vietnam_provinces.lookup import PROVINCE_MAPPING, WARD_MAPPING

    parts = [address.detail]
    if address.ward_code.isdigit() and int(address.ward_code) in WARD_MAPPING:
        parts.append(WARD_MAPPING[int(address.ward_code)].name)
    if address.province_code.isdigit() and int(address.province_code) in PROVINCE_MAPPING:
        parts.append(PROVINCE_MAPPING[int(address.province_code)].name)
    return ", ".join(p for p in parts if p)


def _relation(value: int) -> str:
    name = registry_pb2.HouseholdRelation.Name(value)  # type: ignore[arg-type]
    return name.removeprefix("HOUSEHOLD_RELATION_").replace("_", " ").lower()


def lines(c: registry_pb2.Citizen, t: Callable[[str], str]) -> list[tuple[str, str]]:
    """(label, value) for every field the record holds, in the order of the contract."""
    out: list[tuple[str, str]] = [(t("personal_id"), c.personal_id), (t("full_name"), c.full_name)]
    out.append((t("date_of_birth"), _date(c.date_of_birth)))
    if c.sex:
        out.append((t("sex"), t(f"sex_{int(c.sex)}")))
    out.append((t("nationality"), c.nationality))
    for name in ("place_of_birth", "permanent_address", "current_address"):
        if c.HasField(name):
            out.append((t(name), _address(getattr(c, name))))
    if c.household_id:
        out.append((t("household_id"), c.household_id))
        out.append((t("household_relation"), _relation(int(c.household_relation))))
    if c.life_status:
        out.append((t("life_status"), t(f"life_{int(c.life_status)}")))
    if c.HasField("date_of_death"):
        out.append((t("date_of_death"), _date(c.date_of_death)))
    out.append((t("version"), str(c.version)))
    if c.HasField("update_time"):
        when = c.update_time.ToDatetime(dt.UTC).astimezone(VIETNAM)
        out.append((t("update_time"), when.strftime("%d/%m/%Y %H:%M")))
    return [(label, value) for label, value in out if value]
