"""Agencies: the tenants of the platform (provinces, ministries, others)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from vietnam_provinces import ProvinceCode

from lienthong_runtime import validation
from lienthong_runtime.errors import invalid
from lienthong_runtime.ids import new_id

#: The official two-digit codes of the 34 provinces and centrally-run cities since 1 July 2025.
PROVINCE_CODES_2025 = frozenset(f"{code.value:02d}" for code in ProvinceCode)


class AgencyKind(StrEnum):
    PROVINCE = "PROVINCE"
    MINISTRY = "MINISTRY"
    OTHER = "OTHER"


class AgencyState(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True)
class Agency:
    """A tenant. Tokens issued before the last suspension (``suspended_at``) stay dead after a resume."""

    id: str
    display_name: str
    kind: AgencyKind
    province_code: str
    state: AgencyState
    allowed_scopes: frozenset[str]
    created_at: datetime
    updated_at: datetime
    suspend_reason: str = ""
    suspended_at: datetime | None = None
    resumed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.state is AgencyState.ACTIVE

    def token_valid(self, issued_at: float) -> bool:
        """Whether a token issued at ``issued_at`` (epoch seconds) may still be used."""
        if not self.active:
            return False
        # Exact comparison with the integer ``iat``: a token from the very second of the suspension is refused.
        return self.suspended_at is None or issued_at >= self.suspended_at.timestamp()

    def suspend(self, reason: str, now: datetime) -> Agency:
        return replace(
            self, state=AgencyState.SUSPENDED, suspend_reason=reason, suspended_at=now, updated_at=now
        )

    def resume(self, now: datetime) -> Agency:
        return replace(self, state=AgencyState.ACTIVE, suspend_reason="", resumed_at=now, updated_at=now)


def province_code(kind: AgencyKind, code: str) -> str:
    """The normalised province code for ``kind`` (two digits from the 2025 list), or INVALID_ARGUMENT."""
    code = code.strip()
    if kind is not AgencyKind.PROVINCE:
        if code:
            raise invalid("province_code", "only provinces have a province code")
        return ""
    if not code.isdigit() or len(code) > 2:
        raise invalid(
            "province_code", "a province needs its two-digit 2025 code", reason="PROVINCE_CODE_INVALID"
        )
    normalised = f"{int(code):02d}"
    if normalised not in PROVINCE_CODES_2025:
        raise invalid(
            "province_code", "not one of the 34 province codes of 2025", reason="PROVINCE_CODE_INVALID"
        )
    return normalised


def display_name(value: str, field: str = "display_name") -> str:
    value = value.strip()
    if not 1 <= len(value) <= 200:
        raise invalid(field, "must be 1 to 200 characters")
    return validation.check(field, validation.plain_text, value, max_length=200)


def reason_text(value: str, field: str = "reason") -> str:
    value = value.strip()
    if not 1 <= len(value) <= 500:
        raise invalid(field, "must be 1 to 500 characters")
    return validation.check(field, validation.plain_text, value, max_length=500, multiline=True)


def new_agency(name: str, kind: AgencyKind, code: str, allowed: frozenset[str], now: datetime) -> Agency:
    """A new active agency after validating its name and province code."""
    return Agency(
        id=f"ag_{new_id()}",
        display_name=display_name(name),
        kind=kind,
        province_code=province_code(kind, code),
        state=AgencyState.ACTIVE,
        allowed_scopes=allowed,
        created_at=now,
        updated_at=now,
    )
