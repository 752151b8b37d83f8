"""The procedure catalogue: versioned procedures, their components (form fields, attachments) and parts.

A dossier keeps the version it was filed under; a new version never changes the rules of a dossier already filed.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from lienthong_runtime.errors import FieldViolation, InvalidArgument, invalid
from lienthong_runtime.personal_id import format_problem

from .calendar import MAX_WORKING_DAYS

CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{2,39}$")
COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PROVINCE = re.compile(r"^[0-9]{2}$")
MAX_TEXT = 1000
MAX_COMPONENTS = 100
MAX_PARTS = 10
MAX_FEE_VND = 1_000_000_000


class Level(enum.Enum):
    CENTRAL = 1
    PROVINCE = 2
    COMMUNE = 3


class Kind(enum.Enum):
    TEXT = 1
    DATE = 2
    NUMBER = 3
    PERSONAL_ID = 4
    ATTACHMENT = 5


@dataclass(frozen=True)
class Component:
    name: str
    label: str
    kind: Kind
    required: bool


@dataclass(frozen=True)
class PartSpec:
    agency_id: str
    title: str
    working_days: int


@dataclass(frozen=True)
class Spec:
    """What a version says; checked by :func:`check_spec`."""

    name: str
    level: Level
    province_code: str
    components: tuple[Component, ...]
    parts: tuple[PartSpec, ...]
    fee_vnd: int
    fee_before_processing: bool
    electronic_result: bool


@dataclass(frozen=True)
class Procedure:
    code: str
    version: int
    agency_id: str
    spec: Spec
    publish_time: datetime


def check_code(code: str) -> str:
    code = code.strip().upper()
    if not CODE.match(code):
        raise invalid("code", "must be 3 to 40 of A-Z, 0-9, '.', '-'", reason="PROCEDURE_CODE_INVALID")
    return code


def check_spec(spec: Spec) -> Spec:
    """``spec`` with its text trimmed, or INVALID_ARGUMENT with one violation per problem."""
    problems: list[FieldViolation] = []
    name = spec.name.strip()
    if not name or len(name) > 300:
        problems.append(FieldViolation("spec.name", "is required, at most 300 characters"))
    if spec.level is Level.CENTRAL and spec.province_code:
        problems.append(FieldViolation("spec.province_code", "must be empty for a central procedure"))
    if spec.level is not Level.CENTRAL and not PROVINCE.match(spec.province_code):
        problems.append(FieldViolation("spec.province_code", "must be a two-digit province code"))
    if len(spec.components) > MAX_COMPONENTS:
        problems.append(FieldViolation("spec.components", f"at most {MAX_COMPONENTS}"))
    seen: set[str] = set()
    for i, c in enumerate(spec.components):
        if not COMPONENT_NAME.match(c.name) or c.name in seen:
            problems.append(FieldViolation(f"spec.components[{i}].name", "lower snake case, unique"))
        seen.add(c.name)
        if not c.label.strip() or len(c.label) > 300:
            problems.append(
                FieldViolation(f"spec.components[{i}].label", "is required, at most 300 characters")
            )
    if not 1 <= len(spec.parts) <= MAX_PARTS:
        problems.append(FieldViolation("spec.parts", f"1 to {MAX_PARTS} parts"))
    agencies = [p.agency_id for p in spec.parts]
    if len(set(agencies)) != len(agencies):
        problems.append(FieldViolation("spec.parts", "each part at a different agency"))
    for i, p in enumerate(spec.parts):
        if not p.agency_id or len(p.agency_id) > 64:
            problems.append(FieldViolation(f"spec.parts[{i}].agency_id", "is required"))
        if not p.title.strip() or len(p.title) > 300:
            problems.append(FieldViolation(f"spec.parts[{i}].title", "is required, at most 300 characters"))
        if not 1 <= p.working_days <= MAX_WORKING_DAYS:
            problems.append(
                FieldViolation(f"spec.parts[{i}].processing_working_days", f"1 to {MAX_WORKING_DAYS}")
            )
    if not 0 <= spec.fee_vnd <= MAX_FEE_VND:
        problems.append(FieldViolation("spec.fee_vnd", f"0 to {MAX_FEE_VND} đồng"))
    if spec.fee_before_processing and spec.fee_vnd == 0:
        problems.append(FieldViolation("spec.fee_before_processing", "needs a fee"))
    if problems:
        raise InvalidArgument(
            "the procedure is not valid", reason="PROCEDURE_INVALID", field_violations=problems
        )
    return Spec(
        name,
        spec.level,
        spec.province_code,
        tuple(Component(c.name, c.label.strip(), c.kind, c.required) for c in spec.components),
        tuple(PartSpec(p.agency_id, p.title.strip(), p.working_days) for p in spec.parts),
        spec.fee_vnd,
        spec.fee_before_processing,
        spec.electronic_result,
    )


def _value_problem(kind: Kind, value: str) -> str | None:
    if len(value) > MAX_TEXT or any(ord(ch) < 32 and ch not in "\t\n" for ch in value):
        return f"at most {MAX_TEXT} printable characters"
    if kind is Kind.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be a date YYYY-MM-DD"
    elif kind is Kind.NUMBER:
        if not re.fullmatch(r"-?[0-9]{1,18}", value):
            return "must be a whole number"
    elif kind is Kind.PERSONAL_ID:
        return format_problem(value)
    elif kind is Kind.ATTACHMENT and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
        return "must be the id of a file uploaded with UploadDossierAttachment"
    return None


def check_form(spec: Spec, form: Mapping[str, str], *, partial: bool = False) -> dict[str, str]:
    """The form with values trimmed, or INVALID_ARGUMENT (FORM_INVALID) naming every bad field: unknown names,
    missing required components (unless ``partial``, for a supplement) and values of the wrong kind."""
    by_name = {c.name: c for c in spec.components}
    problems: list[FieldViolation] = []
    clean: dict[str, str] = {}
    for name, raw in form.items():
        component = by_name.get(name)
        if component is None:
            problems.append(FieldViolation(f"form[{name[:40]}]", "is not a component of this procedure"))
            continue
        value = raw.strip()
        if not value:
            continue
        problem = _value_problem(component.kind, value)
        if problem:
            problems.append(FieldViolation(f"form[{name}]", problem))
        clean[name] = value
    if not partial:
        for c in spec.components:
            if c.required and c.name not in clean:
                problems.append(FieldViolation(f"form[{c.name}]", "is required"))
    if problems:
        raise InvalidArgument(
            "the form does not match the procedure", reason="FORM_INVALID", field_violations=problems
        )
    return clean
