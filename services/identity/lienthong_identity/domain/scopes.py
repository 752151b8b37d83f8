"""Scopes: the catalogue comes from the contract; agencies have a ceiling, clients a subset of it."""

from __future__ import annotations

from collections.abc import Iterable

from lienthong_runtime.errors import FieldViolation, InvalidArgument, PermissionDenied

#: Scopes that only citizen tokens carry; never granted to a machine client or allowed for an agency.
CITIZEN_ONLY = frozenset({"citizen.self"})
CITIZEN_SCOPE = "citizen.self"


def grantable(catalogue: Iterable[str]) -> frozenset[str]:
    """The scopes an agency may be allowed: the catalogue without citizen-only scopes."""
    return frozenset(catalogue) - CITIZEN_ONLY


def check_scopes(scopes: Iterable[str], allowed: frozenset[str], field: str) -> frozenset[str]:
    """``scopes`` as a set, or INVALID_ARGUMENT (SCOPE_NOT_ALLOWED) naming every scope outside ``allowed``."""
    wanted = frozenset(s.strip() for s in scopes if s.strip())
    bad = sorted(wanted - allowed)
    if bad:
        raise InvalidArgument(
            f"{field}: scope not allowed: {' '.join(bad)}",
            reason="SCOPE_NOT_ALLOWED",
            metadata={"scopes": " ".join(bad)},
            field_violations=[FieldViolation(field, f"not allowed: {s}") for s in bad],
        )
    return wanted


def requested_scopes(requested: Iterable[str], granted: frozenset[str]) -> frozenset[str]:
    """The scopes a token will carry: all granted when none asked, else the asked ones if all are granted."""
    wanted = frozenset(s for s in requested if s)
    if not wanted:
        return granted
    missing = sorted(wanted - granted)
    if missing:
        raise PermissionDenied(
            "a requested scope is not granted to this client",
            reason="SCOPE_NOT_GRANTED",
            metadata={"scopes": " ".join(missing)},
        )
    return wanted
