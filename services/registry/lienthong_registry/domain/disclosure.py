"""Disclosure policies: which fields an agency may receive for a stated purpose, and the filtered view."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lienthong_runtime.errors import FieldViolation, InvalidArgument, PermissionDenied

from .citizen import DISCLOSABLE_FIELDS, Citizen

_AGENCY = re.compile(r"^[A-Za-z0-9._:@-]{1,100}$")
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
MAX_PURPOSE = 100
MAX_AGENCY = 100
MAX_LEGAL_TEXT = 500


@dataclass(frozen=True)
class DisclosurePolicy:
    """An agency may receive ``fields`` when it states ``purpose``, on the given legal basis."""

    agency_id: str
    purpose: str
    fields: tuple[str, ...]
    legal_basis: str
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None


@dataclass(frozen=True)
class CitizenView:
    """The part of a record disclosed under a policy: only the allowed fields that have values."""

    personal_id: str
    version: int
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def disclosed_fields(self) -> list[str]:
        return list(self.values)


def agency_problem(agency_id: str) -> str | None:
    """What is wrong with an agency id, or None."""
    if not _AGENCY.match(agency_id):
        return f"is required: 1 to {MAX_AGENCY} letters, digits or . _ : @ -"
    return None


def purpose_problem(purpose: str) -> str | None:
    """What is wrong with a purpose code, or None."""
    if not purpose:
        return "is required: every read states its purpose"
    if len(purpose) > MAX_PURPOSE or not _PURPOSE.match(purpose):
        return "must be lower snake case words separated by dots, at most 100 characters"
    return None


def check_purpose(purpose: str, field_name: str = "purpose") -> None:
    problem = purpose_problem(purpose)
    if problem:
        raise InvalidArgument(
            f"{field_name}: {problem}",
            reason="PURPOSE_INVALID",
            field_violations=[FieldViolation(field_name, problem)],
        )


def validate_policy(p: DisclosurePolicy, prefix: str = "policy.") -> DisclosurePolicy:
    """The policy with its fields in canonical order, or InvalidArgument."""
    out: list[FieldViolation] = []
    problem = agency_problem(p.agency_id)
    if problem:
        out.append(FieldViolation(f"{prefix}agency_id", problem))
    problem = purpose_problem(p.purpose)
    if problem:
        out.append(FieldViolation(f"{prefix}purpose", problem))
    unknown = sorted(set(p.fields) - set(DISCLOSABLE_FIELDS))
    if unknown:
        out.append(FieldViolation(f"{prefix}fields", f"unknown field names: {', '.join(unknown)}"))
    if (
        not p.legal_basis.strip()
        or len(p.legal_basis) > MAX_LEGAL_TEXT
        or any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in p.legal_basis)
    ):
        out.append(
            FieldViolation(
                f"{prefix}legal_basis",
                f"is required, at most {MAX_LEGAL_TEXT} characters, no control characters",
            )
        )
    if out:
        raise InvalidArgument(
            "the disclosure policy is invalid", reason="POLICY_INVALID", field_violations=out
        )
    ordered = tuple(name for name in DISCLOSABLE_FIELDS if name in set(p.fields))
    return DisclosurePolicy(
        p.agency_id, p.purpose, ordered, p.legal_basis.strip(), p.create_time, p.update_time
    )


def require_policy(policy: DisclosurePolicy | None, agency_id: str, purpose: str) -> DisclosurePolicy:
    """The policy, or PERMISSION_DENIED (PURPOSE_NOT_ALLOWED) when the agency holds none for the purpose."""
    if policy is None:
        raise PermissionDenied(
            "your agency holds no disclosure policy for this purpose",
            reason="PURPOSE_NOT_ALLOWED",
            metadata={"agency_id": agency_id, "purpose": purpose},
        )
    return policy


def disclose(c: Citizen, policy: DisclosurePolicy) -> CitizenView:
    """The view of ``c`` that ``policy`` allows: nothing outside ``policy.fields`` ever enters it."""
    allowed = set(policy.fields)
    values = {name: c.value(name) for name in DISCLOSABLE_FIELDS if name in allowed}
    return CitizenView(c.personal_id, c.version, {k: v for k, v in values.items() if v is not None})


def written(c: Citizen, fields: list[str] | tuple[str, ...]) -> CitizenView:
    """What a writer gets back from a create or an update: the record's version and the values of the fields it
    wrote in that call (it sent them, so it learns nothing), never another field. Writing is not a way to read:
    a writer that needs more reads for a declared purpose, through its disclosure policy, and that read is logged.
    """
    chosen = set(fields)
    values = {name: c.value(name) for name in DISCLOSABLE_FIELDS if name in chosen}
    return CitizenView(c.personal_id, c.version, {k: v for k, v in values.items() if v is not None})
