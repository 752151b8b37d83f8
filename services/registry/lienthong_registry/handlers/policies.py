"""Disclosure policies: set, read, list, delete (operators), and the caller's own granted purposes."""

from __future__ import annotations

from typing import Any

from lienthong_runtime.errors import NotFound, invalid

from ..adapters import policy_store
from ..adapters.citizen_store import to_us
from ..domain.disclosure import DisclosurePolicy, agency_problem, check_purpose, validate_policy
from .context import Caller, Registry, decode_token, encode_token, page_size


async def set_policy(reg: Registry, policy: DisclosurePolicy) -> DisclosurePolicy:
    valid = validate_policy(policy)
    async with reg.sessions() as session, session.begin():
        stored = await policy_store.put(session, valid, to_us(reg.now()))
    reg.policies.invalidate()
    return stored


def _key(agency_id: str, purpose: str) -> None:
    problem = agency_problem(agency_id)
    if problem:
        raise invalid("agency_id", problem)
    check_purpose(purpose)


async def get_policy(reg: Registry, agency_id: str, purpose: str) -> DisclosurePolicy:
    _key(agency_id, purpose)
    async with reg.sessions() as session:
        found = await policy_store.get(session, agency_id, purpose)
    if found is None:
        raise NotFound("no disclosure policy for this agency and purpose", reason="POLICY_NOT_FOUND")
    return found


async def delete_policy(reg: Registry, agency_id: str, purpose: str) -> None:
    _key(agency_id, purpose)
    async with reg.sessions() as session, session.begin():
        if not await policy_store.remove(session, agency_id, purpose):
            raise NotFound("no disclosure policy for this agency and purpose", reason="POLICY_NOT_FOUND")
    reg.policies.invalidate()


async def list_policies(
    reg: Registry, agency_id: str, size: int, token: str
) -> tuple[list[DisclosurePolicy], str]:
    limit = page_size(size)
    if agency_id and agency_problem(agency_id):
        raise invalid("agency_id", str(agency_problem(agency_id)))
    after = decode_token(token, f"policies:{agency_id}", _policy_cursor)
    async with reg.sessions() as session:
        found = await policy_store.page(session, agency_id, after, limit + 1)
    more, found = len(found) > limit, found[:limit]
    return found, encode_token(
        f"policies:{agency_id}", [found[-1].agency_id, found[-1].purpose]
    ) if more else ""


def _policy_cursor(value: Any) -> tuple[str, str]:
    agency, purpose = value
    if not isinstance(agency, str) or not isinstance(purpose, str):
        raise TypeError("cursor")
    return agency, purpose


async def granted_purposes(
    reg: Registry, caller: Caller, size: int, token: str
) -> tuple[list[DisclosurePolicy], str]:
    """The caller's own agency's policies (the agency comes from the token)."""
    return await list_policies(reg, caller.agency_id, size, token)
