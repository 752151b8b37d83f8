"""Prefill from the registry: which form components a registry field fills, and the citizen's consent."""

from __future__ import annotations

from collections.abc import Mapping

from lienthong_runtime.errors import FailedPrecondition, invalid

from .procedures import Kind, Spec

#: Registry fields a form may be prefilled with, and the component kind each fills.
PREFILLABLE = {
    "full_name": Kind.TEXT,
    "date_of_birth": Kind.DATE,
    "nationality": Kind.TEXT,
    "place_of_birth": Kind.TEXT,
    "permanent_address": Kind.TEXT,
    "current_address": Kind.TEXT,
}
MAX_PURPOSE = 100


def check_request(purpose: str, consent: bool) -> str:
    """The purpose, once the citizen consented; nothing is read otherwise."""
    purpose = purpose.strip()
    if not purpose or len(purpose) > MAX_PURPOSE or not all(c.isalnum() or c in "._-" for c in purpose):
        raise invalid("purpose", f"1 to {MAX_PURPOSE} of letters, digits, '.', '_', '-'")
    if not consent:
        raise FailedPrecondition(
            "the citizen has not consented to prefilling from the registry", reason="CONSENT_REQUIRED"
        )
    return purpose


def wanted(spec: Spec) -> list[str]:
    """The registry fields this procedure's form can take."""
    return [c.name for c in spec.components if PREFILLABLE.get(c.name) is c.kind]


def fill(spec: Spec, disclosed: Mapping[str, str]) -> dict[str, str]:
    return {name: disclosed[name] for name in wanted(spec) if disclosed.get(name)}
