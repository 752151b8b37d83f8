"""Purpose-bound reads: one record, a household, a record's history. Each is logged before it is answered."""

from __future__ import annotations

from lienthong_runtime.errors import NotFound, invalid

from ..adapters.citizen_store import VersionMeta
from ..domain.access_log import AccessAction
from ..domain.disclosure import CitizenView, DisclosurePolicy, check_purpose, disclose, require_policy
from .context import Caller, Registry, check_personal_id, decode_token, encode_token, int_cursor, page_size
from .routing import find_citizen, read_on


async def policy_for(reg: Registry, caller: Caller, purpose: str) -> DisclosurePolicy:
    """The caller's policy for ``purpose`` or PERMISSION_DENIED (PURPOSE_NOT_ALLOWED). Called before a handler
    opens its own connection (SQLite serialises transactions, so they must not nest)."""
    check_purpose(purpose)
    found = await reg.policies.get(reg.reading, caller.agency_id, purpose)
    return require_policy(found, caller.agency_id, purpose)


async def get_citizen(reg: Registry, caller: Caller, personal_id: str, purpose: str) -> CitizenView:
    check_personal_id(personal_id)
    policy = await policy_for(reg, caller, purpose)
    citizen = await find_citizen(reg, caller, personal_id)
    if citizen is None:
        raise NotFound("no citizen with this personal ID", reason="CITIZEN_NOT_FOUND")
    view = disclose(citizen, policy)
    await reg.log.append(
        [
            reg.log_entry(
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


async def list_household(
    reg: Registry, caller: Caller, household_id: str, purpose: str, size: int, token: str
) -> tuple[list[CitizenView], str]:
    if not household_id or len(household_id) > 64:
        raise invalid("household_id", "is required, at most 64 characters")
    limit = page_size(size)
    after = decode_token(token, "household", lambda v: (int_cursor(v[0]), bytes.fromhex(v[1])))
    policy = await policy_for(reg, caller, purpose)
    members = await read_on(
        reg, caller, lambda conn: reg.citizens.household(conn, household_id, after, limit + 1)
    )
    more, members = len(members) > limit, members[:limit]
    views = [disclose(c, policy) for c, _ in members]
    await reg.log.append(
        [
            reg.log_entry(
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
    return views, encode_token("household", [last[0], last[1].hex()]) if more and last else ""


async def citizen_history(
    reg: Registry, caller: Caller, personal_id: str, purpose: str, size: int, token: str
) -> tuple[list[tuple[CitizenView, VersionMeta]], str]:
    check_personal_id(personal_id)
    limit = page_size(size)
    before = decode_token(token, "history", int_cursor)
    policy = await policy_for(reg, caller, purpose)
    versions = await read_on(
        reg, caller, lambda conn: reg.citizens.history(conn, personal_id, before, limit + 1)
    )
    if not versions and before is None:
        raise NotFound("no citizen with this personal ID", reason="CITIZEN_NOT_FOUND")
    more, versions = len(versions) > limit, versions[:limit]
    out = [(disclose(c, policy), meta) for c, meta in versions]
    disclosed = sorted({f for view, _ in out for f in view.disclosed_fields})
    await reg.log.append(
        [
            reg.log_entry(
                caller,
                AccessAction.HISTORY,
                personal_id,
                purpose=purpose,
                legal_basis=policy.legal_basis,
                fields=disclosed,
            )
        ]
    )
    return out, encode_token("history", versions[-1][1].version) if more else ""
