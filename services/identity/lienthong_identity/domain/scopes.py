"""Scopes: the catalogue comes from the contract; agencies have a ceiling, clients a subset of it."""

from __future__ import annotations

from collections.abc import Iterable

from lienthong_runtime.errors import FieldViolation, InvalidArgument, PermissionDenied

#: Scopes that only citizen tokens carry; never granted to a machine client or allowed for an agency.
CITIZEN_ONLY = frozenset({"citizen.self"})
CITIZEN_SCOPE = "citizen.self"


#: The platform operator's scopes: administering agencies and every agency's disclosure policies, and
#: platform-wide operations. Only the operator's own agency (created by ``lienthong identity bootstrap``, or the
#: embedded mode's seed) holds them, in every mode: no RPC allows them to another agency or grants them to
#: another agency's client, and a token for such a client never carries them.
PLATFORM_ADMIN = "platform.admin"
OPERATOR_ONLY = frozenset({PLATFORM_ADMIN, "identity.agencies.admin", "registry.policies.admin"})


def grantable(catalogue: Iterable[str]) -> frozenset[str]:
    """The scopes the operator's agency may be allowed: the catalogue without citizen-only scopes."""
    return frozenset(catalogue) - CITIZEN_ONLY


def agency_grantable(catalogue: Iterable[str]) -> frozenset[str]:
    """The scopes any other agency may be allowed: no citizen-only and no operator scope."""
    return grantable(catalogue) - OPERATOR_ONLY


def is_operator(allowed: frozenset[str]) -> bool:
    """Whether an agency with this ceiling is the platform operator's."""
    return PLATFORM_ADMIN in allowed


def client_ceiling(agency_allowed: frozenset[str]) -> frozenset[str]:
    """What a client of an agency may be granted (and its tokens carry): the agency's ceiling, without operator
    scopes unless the agency is the operator's (a ceiling stored before this rule cannot leak them)."""
    return agency_allowed if is_operator(agency_allowed) else agency_allowed - OPERATOR_ONLY


def check_grant(
    scopes: Iterable[str], allowed: frozenset[str], holder: frozenset[str], field: str
) -> frozenset[str]:
    """``check_scopes`` against ``allowed``, then PERMISSION_DENIED (SCOPE_NOT_HELD) for any scope the granting
    agency does not hold itself: an agency never grants what it does not have."""
    wanted = check_scopes(scopes, allowed, field)
    beyond = sorted(wanted - holder)
    if beyond:
        raise PermissionDenied(
            f"{field}: the calling agency cannot grant a scope it does not hold",
            reason="SCOPE_NOT_HELD",
            metadata={"scopes": " ".join(beyond)},
        )
    return wanted


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
