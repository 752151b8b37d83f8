"""Turning lines of an import file into sealed rows. Runs in worker processes: everything here is picklable
and CPU-bound (parsing, validation, AES-GCM, HMAC), so a process pool spreads it over the cores."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from google.protobuf import timestamp_pb2

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.registry.v1 import events_pb2
from lienthong_runtime.errors import FieldViolation, InvalidArgument
from lienthong_runtime.ids import new_id

from ..domain.citizen import Address, Citizen
from ..domain.dates import from_us
from ..domain.sex import HouseholdRelation, LifeStatus, Sex
from ..domain.validation import validate
from . import sealed_events
from .bulk_store import CITIZEN_COLUMNS, VERSION_COLUMNS
from .citizen_store import CitizenStore
from .crypto import CitizenIndex, Keyring

CREATED = events_pb2.CitizenCreated.DESCRIPTOR.full_name
ADDRESSES = ("place_of_birth", "permanent_address", "current_address")
#: CSV columns (JSON lines take the same keys, or nested address objects).
COLUMNS = (
    "personal_id",
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    *(f"{a}_{part}" for a in ADDRESSES for part in ("province", "ward", "detail")),
    "household_id",
    "household_relation",
    "life_status",
    "date_of_death",
)


@dataclass(frozen=True)
class ImportJob:
    """What every worker needs besides the lines: keys, actor, legal reason and the clock."""

    keyring: Keyring
    index: CitizenIndex
    agency_id: str
    client_id: str
    legal_reason: str
    now_us: int
    today: dt.date


def _enum(kind: Any, value: Any, field: str, errors: list[FieldViolation]) -> Any:
    text = str(value or "").strip().upper()
    if not text:
        return kind(0)
    try:
        return kind(int(text)) if text.isdigit() else kind[{"M": "MALE", "F": "FEMALE"}.get(text, text)]
    except (KeyError, ValueError):
        errors.append(FieldViolation(field, f"{value!r} is not a known value"))
        return kind(0)


def _date(value: Any, field: str, errors: list[FieldViolation]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(FieldViolation(field, "must be a date YYYY-MM-DD"))
        return None


def _address(row: dict[str, Any], name: str) -> Address | None:
    nested = row.get(name)
    if isinstance(nested, dict):
        row = {
            f"{name}_province": nested.get("province_code"),
            f"{name}_ward": nested.get("ward_code"),
            f"{name}_detail": nested.get("detail"),
        }
    province, ward = row.get(f"{name}_province") or "", row.get(f"{name}_ward") or ""
    if not province and not ward:
        return None
    return Address(str(province).strip(), str(ward).strip(), str(row.get(f"{name}_detail") or ""))


def parse_row(row: dict[str, Any], today: dt.date) -> Citizen:
    """A validated record from one line's fields, or InvalidArgument naming each bad column."""
    errors: list[FieldViolation] = []
    c = Citizen(
        personal_id=str(row.get("personal_id") or "").strip(),
        full_name=str(row.get("full_name") or ""),
        date_of_birth=_date(row.get("date_of_birth"), "date_of_birth", errors),
        sex=_enum(Sex, row.get("sex"), "sex", errors),
        nationality=str(row.get("nationality") or "VN").strip(),
        place_of_birth=_address(row, "place_of_birth"),
        permanent_address=_address(row, "permanent_address"),
        current_address=_address(row, "current_address"),
        household_id=str(row.get("household_id") or "").strip(),
        household_relation=_enum(
            HouseholdRelation, row.get("household_relation"), "household_relation", errors
        ),
        life_status=_enum(LifeStatus, row.get("life_status") or "ALIVE", "life_status", errors),
        date_of_death=_date(row.get("date_of_death"), "date_of_death", errors),
    )
    if errors:
        raise InvalidArgument("invalid line", field_violations=errors)
    return validate(c, today, prefix="")


def _decode(kind: str, header: list[str], raw: Any) -> dict[str, Any]:
    if kind == "csv":
        return dict(zip(header, raw, strict=False))
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a JSON line must be an object")
    return data


def prepare(
    job: ImportJob, kind: str, header: list[str], lines: list[tuple[int, Any]]
) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, str]]]:
    """Sealed rows ``(line, pid_index, citizen_row, version_row, outbox_row)`` and errors
    ``(line, field, reason)``."""
    store = CitizenStore(job.keyring, job.index)
    now = from_us(job.now_us)
    stamp = timestamp_pb2.Timestamp()
    stamp.FromMicroseconds(job.now_us)
    rows: list[tuple[Any, ...]] = []
    errors: list[tuple[int, str, str]] = []
    for number, raw in lines:
        try:
            c = parse_row(_decode(kind, header, raw), job.today).with_version(1, now)
        except InvalidArgument as exc:
            errors.extend((number, v.field, v.description) for v in exc.field_violations)
            continue
        except ValueError as exc:
            errors.append((number, "", f"unreadable line: {exc}"))
            continue
        citizen_row, version_row = store.rows(
            c, (job.agency_id, job.client_id), job.legal_reason, c.set_fields(), job.now_us
        )
        citizen_row["created_us"] = job.now_us
        event = EventEnvelope(
            id=new_id(),
            type=CREATED,
            source="registry",
            subject=c.personal_id,
            agency_id=job.agency_id,
            time=stamp,
        )
        event.payload.Pack(
            events_pb2.CitizenCreated(personal_id=c.personal_id, version=1, actor_agency_id=job.agency_id)
        )
        sealed = sealed_events.seal(store.keyring, event)
        rows.append(
            (
                number,
                citizen_row["pid_index"],
                tuple(citizen_row[k] for k in CITIZEN_COLUMNS),
                tuple(version_row[k] for k in VERSION_COLUMNS),
                (sealed.id, sealed.type, sealed.SerializeToString()),
            )
        )
    return rows, errors
