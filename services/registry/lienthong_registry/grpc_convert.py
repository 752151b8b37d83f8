"""Translation between the v1 protobuf messages and the registry's domain objects."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import TypeVar

from google.protobuf import timestamp_pb2

from lienthong.common.v1 import date_pb2
from lienthong.registry.v1 import registry_pb2 as pb
from lienthong_runtime.errors import invalid

from .domain.access_log import AccessLogEntry
from .domain.citizen import Address, Citizen, VersionMeta
from .domain.dates import from_us, make_date
from .domain.disclosure import CitizenView, DisclosurePolicy, written
from .domain.sex import HouseholdRelation, LifeStatus, Sex
from .domain.verification import Claims

E = TypeVar("E", bound=IntEnum)


def enum(kind: type[E], value: int, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise invalid(field, f"{value} is not a known value") from None


def date_in(field: str, d: date_pb2.Date) -> dt.date | None:
    return make_date(field, d.year, d.month, d.day)


def date_out(d: dt.date) -> date_pb2.Date:
    return date_pb2.Date(year=d.year, month=d.month, day=d.day)


def timestamp(when: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    if when is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(when)
    return ts


def micros(ts: timestamp_pb2.Timestamp, present: bool) -> int:
    return ts.seconds * 1_000_000 + ts.nanos // 1000 if present else 0


def address_in(message: pb.Address) -> Address:
    return Address(message.province_code, message.ward_code, message.detail)


def citizen_in(c: pb.Citizen, prefix: str = "citizen.") -> Citizen:
    """A domain record from a request (not yet validated; dates and enums are checked for shape)."""

    def addr(name: str) -> Address | None:
        return address_in(getattr(c, name)) if c.HasField(name) else None

    return Citizen(
        personal_id=c.personal_id,
        full_name=c.full_name,
        date_of_birth=date_in(f"{prefix}date_of_birth", c.date_of_birth),
        sex=enum(Sex, c.sex, f"{prefix}sex"),
        nationality=c.nationality,
        place_of_birth=addr("place_of_birth"),
        permanent_address=addr("permanent_address"),
        current_address=addr("current_address"),
        household_id=c.household_id,
        household_relation=enum(HouseholdRelation, c.household_relation, f"{prefix}household_relation"),
        life_status=enum(LifeStatus, c.life_status, f"{prefix}life_status"),
        date_of_death=date_in(f"{prefix}date_of_death", c.date_of_death),
    )


def _address_out(a: Address) -> pb.Address:
    return pb.Address(province_code=a.province_code, ward_code=a.ward_code, detail=a.detail)


def _set_values(message: pb.Citizen | pb.CitizenView, values: dict[str, object]) -> None:
    for name, value in values.items():
        if isinstance(value, Address):
            getattr(message, name).CopyFrom(_address_out(value))
        elif isinstance(value, dt.date):
            getattr(message, name).CopyFrom(date_out(value))
        else:
            setattr(message, name, int(value) if isinstance(value, IntEnum) else value)


def written_out(c: Citizen, fields: list[str] | tuple[str, ...]) -> pb.Citizen:
    """A create's or update's answer: the version and times, and only the fields the caller wrote (see
    ``domain.disclosure.written``)."""
    view = written(c, fields)
    message = pb.Citizen(
        personal_id=view.personal_id,
        version=view.version,
        create_time=timestamp(c.create_time),
        update_time=timestamp(c.update_time),
    )
    _set_values(message, view.values)
    return message


def own_record_out(c: Citizen) -> pb.Citizen:
    """The whole record, for its subject only (``GetMyRecord``: a citizen reads everything held about them)."""
    return written_out(c, c.set_fields())


def view_out(v: CitizenView) -> pb.CitizenView:
    message = pb.CitizenView(
        personal_id=v.personal_id, version=v.version, disclosed_fields=v.disclosed_fields
    )
    _set_values(message, v.values)
    return message


def version_out(view: CitizenView, meta: VersionMeta) -> pb.CitizenVersion:
    return pb.CitizenVersion(
        version=meta.version,
        create_time=timestamp(meta.created),
        actor_agency_id=meta.actor_agency_id,
        actor_client_id=meta.actor_client_id,
        legal_reason=meta.legal_reason,
        changed_fields=meta.changed_fields,
        snapshot=view_out(view),
    )


def claims_in(c: pb.CitizenClaims) -> Claims:
    return Claims(
        full_name=c.full_name if c.HasField("full_name") else None,
        date_of_birth=date_in("claims.date_of_birth", c.date_of_birth)
        if c.HasField("date_of_birth")
        else None,
        sex=enum(Sex, c.sex, "claims.sex") if c.HasField("sex") else None,
        permanent_address=address_in(c.permanent_address) if c.HasField("permanent_address") else None,
        life_status=enum(LifeStatus, c.life_status, "claims.life_status")
        if c.HasField("life_status")
        else None,
    )


def policy_in(p: pb.DisclosurePolicy) -> DisclosurePolicy:
    return DisclosurePolicy(p.agency_id, p.purpose, tuple(p.fields), p.legal_basis)


def policy_out(p: DisclosurePolicy) -> pb.DisclosurePolicy:
    return pb.DisclosurePolicy(
        agency_id=p.agency_id,
        purpose=p.purpose,
        fields=list(p.fields),
        legal_basis=p.legal_basis,
        create_time=timestamp(p.create_time),
        update_time=timestamp(p.update_time),
    )


def entry_out(e: AccessLogEntry, personal_id: str = "", *, chain_verified: bool = False) -> pb.AccessLogEntry:
    return pb.AccessLogEntry(
        id=e.id,
        sequence=e.sequence,
        time=timestamp(from_us(e.time_us)),
        agency_id=e.agency_id,
        agency_name=e.agency_name,
        client_id=e.client_id,
        action=pb.AccessAction.Name(e.action),  # the stubs take the enum or its name, not an int
        purpose=e.purpose,
        legal_basis=e.legal_basis,
        fields_disclosed=list(e.fields),
        personal_id=personal_id,
        entry_hash=e.entry_hash,
        chain_verified=chain_verified,
    )
