"""Verification (match / no match, nothing else) and search by name and date of birth."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lienthong_runtime.errors import invalid

from ..domain import divisions
from ..domain.access_log import AccessAction
from ..domain.citizen import Address, Citizen
from ..domain.disclosure import CitizenView, disclose
from ..domain.names import name_key, names_match, stored_name
from ..domain.sex import LifeStatus, Sex
from .context import Caller, Registry, check_personal_id, decode_token, encode_token, page_size
from .reads import policy_for
from .routing import find_citizen, read_on


@dataclass(frozen=True)
class Claims:
    """Attributes a caller claims; None means not claimed."""

    full_name: str | None = None
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    permanent_address: Address | None = None
    life_status: LifeStatus | None = None

    def empty(self) -> bool:
        return all(
            v is None
            for v in (self.full_name, self.date_of_birth, self.sex, self.permanent_address, self.life_status)
        )


def _same_place(claimed: Address, actual: Address | None) -> bool:
    if actual is None:
        return False
    try:
        return (int(claimed.province_code), int(claimed.ward_code)) == (
            int(actual.province_code),
            int(actual.ward_code),
        )
    except ValueError:
        return False


def matches(c: Citizen, claims: Claims) -> bool:
    """Whether every claimed attribute equals the record's (names: NFC, case-folded, diacritics kept)."""
    checks = [
        claims.full_name is None or names_match(claims.full_name, c.full_name),
        claims.date_of_birth is None or claims.date_of_birth == c.date_of_birth,
        claims.sex is None or claims.sex == c.sex,
        claims.permanent_address is None or _same_place(claims.permanent_address, c.permanent_address),
        claims.life_status is None or claims.life_status == c.life_status,
    ]
    return all(checks)


async def verify_citizen(
    reg: Registry, caller: Caller, personal_id: str, claims: Claims, purpose: str
) -> bool:
    """MATCH only if the record exists and every claim matches; an unknown ID is a plain NO_MATCH."""
    check_personal_id(personal_id)
    if claims.empty():
        raise invalid("claims", "claim at least one attribute")
    policy = await policy_for(reg, caller, purpose)
    citizen = await find_citizen(reg, caller, personal_id)
    result = citizen is not None and matches(citizen, claims)
    await reg.log.append(
        [
            reg.log_entry(
                caller, AccessAction.VERIFY, personal_id, purpose=purpose, legal_basis=policy.legal_basis
            )
        ]
    )
    return result


async def search_citizens(
    reg: Registry,
    caller: Caller,
    full_name: str,
    birth: dt.date | None,
    province: str,
    purpose: str,
    size: int,
    token: str,
) -> tuple[list[CitizenView], str]:
    """Exact (normalised) name + date of birth, optionally within a permanent-address province."""
    name = stored_name(full_name)
    if not name_key(name) or len(name) > 150:
        raise invalid("full_name", "is required, at most 150 characters")
    if birth is None:
        raise invalid("date_of_birth", "is required")
    if province:
        if not (province.isascii() and province.isdigit() and int(province) in divisions.province_codes()):
            raise invalid("province_code", "is not one of the 34 provinces of the 2025 list")
        province = divisions.canonical_province(province)
    limit = page_size(size)
    after = decode_token(token, "search", bytes.fromhex)
    policy = await policy_for(reg, caller, purpose)
    found = await read_on(
        reg,
        caller,
        lambda conn: reg.citizens.search(conn, name, birth.isoformat(), province, after, limit + 1),
    )
    more, found = len(found) > limit, found[:limit]
    views = [disclose(c, policy) for c, _ in found]
    await reg.log.append(
        [
            reg.log_entry(
                caller,
                AccessAction.SEARCH,
                v.personal_id,
                purpose=purpose,
                legal_basis=policy.legal_basis,
                fields=v.disclosed_fields,
            )
            for v in views
        ]
    )
    return views, encode_token("search", found[-1][1].hex()) if more else ""
