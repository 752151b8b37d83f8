"""Disclosure policies: set, read, list, delete (operators), and the caller's own granted purposes."""

from __future__ import annotations

from lienthong_runtime.errors import NotFound, invalid
from lienthong_runtime.paging import encode_cursor, page_size

from ..domain.disclosure import DisclosurePolicy, agency_problem, check_purpose, validate_policy
from .context import Caller, Services, cursor, text, to_us
from .ports import RegistryUnitOfWork


async def set_policy(
    uow: RegistryUnitOfWork, services: Services, policy: DisclosurePolicy
) -> DisclosurePolicy:
    valid = validate_policy(policy)
    async with uow:
        stored = await uow.policies.put(valid, to_us(services.now()))
    services.policies.invalidate()
    return stored


def _key(agency_id: str, purpose: str) -> None:
    problem = agency_problem(agency_id)
    if problem:
        raise invalid("agency_id", problem)
    check_purpose(purpose)


def _not_found() -> NotFound:
    return NotFound("no disclosure policy for this agency and purpose", reason="POLICY_NOT_FOUND")


async def get_policy(uow: RegistryUnitOfWork, agency_id: str, purpose: str) -> DisclosurePolicy:
    _key(agency_id, purpose)
    async with uow:
        found = await uow.policies.get(agency_id, purpose)
    if found is None:
        raise _not_found()
    return found


async def delete_policy(uow: RegistryUnitOfWork, services: Services, agency_id: str, purpose: str) -> None:
    _key(agency_id, purpose)
    async with uow:
        if not await uow.policies.remove(agency_id, purpose):
            raise _not_found()
    services.policies.invalidate()


def _policy_cursor(agency: object, purpose: object) -> tuple[str, str]:
    return text(agency), text(purpose)


async def list_policies(
    uow: RegistryUnitOfWork, agency_id: str, size: int, token: str
) -> tuple[list[DisclosurePolicy], str]:
    limit = page_size(size)
    if agency_id and agency_problem(agency_id):
        raise invalid("agency_id", str(agency_problem(agency_id)))
    kind = f"policies:{agency_id}"
    after = cursor(kind, token, 2, _policy_cursor)
    async with uow:
        found = await uow.policies.page(agency_id, after, limit + 1)
    more, found = len(found) > limit, found[:limit]
    return found, encode_cursor(kind, [found[-1].agency_id, found[-1].purpose]) if more else ""


async def granted_purposes(
    uow: RegistryUnitOfWork, caller: Caller, size: int, token: str
) -> tuple[list[DisclosurePolicy], str]:
    """The caller's own agency's policies (the agency comes from the token)."""
    return await list_policies(uow, caller.agency_id, size, token)
