"""Purpose-bound reads: one record, a household, a record's history. Each is logged before it is answered, and a
refused read (no policy for the purpose, bad input) reads nothing and logs nothing."""

from __future__ import annotations

from lienthong_runtime.errors import NotFound, invalid
from lienthong_runtime.paging import encode_cursor, page_size

from ..domain.access_log import AccessAction
from ..domain.citizen import VersionMeta
from ..domain.disclosure import CitizenView, DisclosurePolicy, check_purpose, disclose, require_policy
from .context import Caller, Services, check_personal_id, cursor, text, whole


async def policy_for(services: Services, caller: Caller, purpose: str) -> DisclosurePolicy:
    """The caller's policy for ``purpose`` or PERMISSION_DENIED (PURPOSE_NOT_ALLOWED)."""
    check_purpose(purpose)
    found = await services.policies.get(caller.agency_id, purpose)
    return require_policy(found, caller.agency_id, purpose)


async def get_citizen(services: Services, caller: Caller, personal_id: str, purpose: str) -> CitizenView:
    check_personal_id(personal_id)
    policy = await policy_for(services, caller, purpose)
    citizen = await services.reads.find(caller.key, personal_id)
    if citizen is None:
        raise NotFound("no citizen with this personal ID", reason="CITIZEN_NOT_FOUND")
    view = disclose(citizen, policy)
    await services.access_log.append(
        [
            services.log_entry(
                caller,
                AccessAction.READ,
                personal_id,
                purpose=purpose,
                legal_basis=policy.legal_basis,
                fields=view.disclosed_fields,
            )
        ]
    )
    return view


def _household_cursor(rank: object, pid_index: object) -> tuple[int, bytes]:
    return whole(rank), bytes.fromhex(text(pid_index))


async def list_household(
    services: Services, caller: Caller, household_id: str, purpose: str, size: int, token: str
) -> tuple[list[CitizenView], str]:
    if not household_id or len(household_id) > 64:
        raise invalid("household_id", "is required, at most 64 characters")
    limit = page_size(size)
    after = cursor("household", token, 2, _household_cursor)
    policy = await policy_for(services, caller, purpose)
    members = await services.reads.household(caller.key, household_id, after, limit + 1)
    more, members = len(members) > limit, members[:limit]
    views = [disclose(c, policy) for c, _ in members]
    await services.access_log.append(
        [
            services.log_entry(
                caller,
                AccessAction.HOUSEHOLD,
                v.personal_id,
                purpose=purpose,
                legal_basis=policy.legal_basis,
                fields=v.disclosed_fields,
            )
            for v in views
        ]
    )
    last = members[-1][1] if members else None
    return views, encode_cursor("household", [last[0], last[1].hex()]) if more and last else ""


async def citizen_history(
    services: Services, caller: Caller, personal_id: str, purpose: str, size: int, token: str
) -> tuple[list[tuple[CitizenView, VersionMeta]], str]:
    check_personal_id(personal_id)
    limit = page_size(size)
    before = cursor("history", token, 1, whole)
    policy = await policy_for(services, caller, purpose)
    versions = await services.reads.history(caller.key, personal_id, before, limit + 1)
    if not versions and before is None:
        raise NotFound("no citizen with this personal ID", reason="CITIZEN_NOT_FOUND")
    more, versions = len(versions) > limit, versions[:limit]
    out = [(disclose(c, policy), meta) for c, meta in versions]
    disclosed = sorted({f for view, _ in out for f in view.disclosed_fields})
    await services.access_log.append(
        [
            services.log_entry(
                caller,
                AccessAction.HISTORY,
                personal_id,
                purpose=purpose,
                legal_basis=policy.legal_basis,
                fields=disclosed,
            )
        ]
    )
    return out, encode_cursor("history", [versions[-1][1].version]) if more else ""
