"""Verification (match / no match, nothing else) and search by name and date of birth."""

from __future__ import annotations

import datetime as dt

from lienthong_runtime.errors import invalid
from lienthong_runtime.paging import encode_cursor, page_size

from ..domain import divisions
from ..domain.access_log import AccessAction
from ..domain.disclosure import CitizenView, disclose
from ..domain.names import name_key, stored_name
from ..domain.verification import Claims, matches
from .context import Caller, Services, check_personal_id, cursor, text
from .reads import policy_for


async def verify_citizen(
    services: Services, caller: Caller, personal_id: str, claims: Claims, purpose: str
) -> bool:
    """MATCH only if the record exists and every claim matches; an unknown ID is a plain NO_MATCH. Needs a policy
    for the purpose (its fields may be empty: a verification discloses none) and logs the attempt either way."""
    check_personal_id(personal_id)
    if claims.empty():
        raise invalid("claims", "claim at least one attribute")
    policy = await policy_for(services, caller, purpose)
    citizen = await services.reads.find(caller.key, personal_id)
    result = citizen is not None and matches(citizen, claims)
    await services.access_log.append(
        [
            services.log_entry(
                caller, AccessAction.VERIFY, personal_id, purpose=purpose, legal_basis=policy.legal_basis
            )
        ]
    )
    return result


def _search_cursor(pid_index: object) -> bytes:
    return bytes.fromhex(text(pid_index))


async def search_citizens(
    services: Services,
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
    after = cursor("search", token, 1, _search_cursor)
    policy = await policy_for(services, caller, purpose)
    found = await services.reads.search(caller.key, name, birth.isoformat(), province, after, limit + 1)
    more, found = len(found) > limit, found[:limit]
    views = [disclose(c, policy) for c, _ in found]
    await services.access_log.append(
        [
            services.log_entry(
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
    return views, encode_cursor("search", [found[-1][1].hex()]) if more else ""
