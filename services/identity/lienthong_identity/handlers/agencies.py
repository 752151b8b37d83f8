"""Agencies: onboarding (with a first client), reading, suspension and the scope ceiling."""

from __future__ import annotations

from dataclasses import replace

from lienthong.identity.v1 import events_pb2
from lienthong_runtime.errors import NotFound, PermissionDenied, invalid
from lienthong_runtime.timestamps import timestamp

from ..domain.agencies import Agency, AgencyKind, AgencyState, new_agency, reason_text
from ..domain.audit import Caller
from ..domain.clients import Client
from ..domain.scopes import agency_grantable, check_grant, check_scopes, grantable, is_operator
from . import idempotency
from .clients import add_client
from .context import Context
from .ports import IdentityUnitOfWork

ADMIN_SCOPE = "identity.agencies.admin"


async def create_agency(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    name: str,
    kind: AgencyKind | None,
    province_code: str,
    allowed: list[str],
    initial_scopes: list[str],
    idempotency_key: str = "",
    *,
    operator: bool = False,
) -> tuple[Agency, Client | None, str]:
    """A new agency and, when ``initial_scopes`` is given, its first client and that client's secret. With an
    idempotency key, a retry of the same request returns what the first call created.

    Only ``operator`` (the bootstrap of the platform operator's own agency, never an RPC) may allow operator
    scopes; through the API an agency is allowed only scopes the calling agency holds itself."""
    if kind is None:
        raise invalid("kind", "is required")
    key = idempotency.check_key(idempotency_key)
    digest = idempotency.fingerprint(name, kind.value, province_code, sorted(allowed), sorted(initial_scopes))
    async with ctx.audited(uow, caller, "agency.create"):
        now = ctx.now()
        async with uow:
            holder = grantable(ctx.catalogue) if operator else await _held(uow, caller)
        ceiling = grantable(ctx.catalogue) if operator else agency_grantable(ctx.catalogue)
        allowed_set = check_grant(allowed, ceiling, holder, "allowed_scopes")
        agency = new_agency(name, kind, province_code, allowed_set, now)
        initial = check_scopes(initial_scopes, allowed_set, "initial_client_scopes")
        async with uow:
            found = await idempotency.replay(uow, caller, "agency", key, digest, now) if key else None
            if found is not None:
                first = await uow.agencies.get(found.agency_id)
                client = await uow.clients.get(found.client_id) if found.client_id else None
                if first is not None:
                    return first, client, found.secret or ""
            await uow.agencies.add(agency)
            uow.publish(
                events_pb2.AgencyCreated(
                    agency_id=agency.id,
                    display_name=agency.display_name,
                    kind=f"AGENCY_KIND_{kind.value}",
                    province_code=agency.province_code,
                ),
                subject=agency.id,
                agency_id=agency.id,
            )
            await uow.audit(caller.event("agency.create", now, target=agency.id))
            client, secret = None, ""
            if initial_scopes:
                client, secret = await add_client(
                    uow, ctx, caller, agency, f"{agency.display_name} admin", initial, now
                )
            if key:
                await idempotency.remember(
                    uow,
                    caller,
                    "agency",
                    key,
                    digest,
                    agency_id=agency.id,
                    client_id=client.id if client else "",
                    secret=secret,
                    now=now,
                )
        ctx.committed(uow)
    return agency, client, secret


async def get_agency(uow: IdentityUnitOfWork, ctx: Context, caller: Caller, agency_id: str) -> Agency:
    """An agency; callers without the admin scope see only their own (others answer NOT_FOUND)."""
    if not agency_id:
        raise invalid("agency_id", "is required")
    if ADMIN_SCOPE not in caller.scopes and agency_id != caller.agency_id:
        raise NotFound("no such agency", reason="AGENCY_NOT_FOUND")
    async with uow:
        agency = await uow.agencies.get(agency_id)
    if agency is None:
        raise NotFound("no such agency", reason="AGENCY_NOT_FOUND")
    return agency


MAX_NAME_LOOKUPS = 100


async def agency_names(uow: IdentityUnitOfWork, ctx: Context, agency_ids: list[str]) -> list[tuple[str, str]]:
    """(id, display name) of each known agency among ``agency_ids``, in request order, duplicates once."""
    wanted = list(dict.fromkeys(agency_ids))
    if not wanted or len(wanted) > MAX_NAME_LOOKUPS:
        raise invalid("agency_ids", f"give 1 to {MAX_NAME_LOOKUPS} agency ids")
    if any(not a or len(a) > 64 for a in wanted):
        raise invalid("agency_ids", "each id is 1 to 64 characters")
    async with uow:
        names = await uow.agencies.names(wanted)
    return [(a, names[a]) for a in wanted if a in names]


async def list_agencies(
    uow: IdentityUnitOfWork, ctx: Context, state: AgencyState | None, size: int, token: str
) -> tuple[list[Agency], str]:
    async with uow:
        return await uow.agencies.page(state, size, token)


async def suspend_agency(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, agency_id: str, reason: str
) -> Agency:
    """Suspend (idempotent): issuance stops and outstanding tokens die; an event tells the gateway."""
    async with ctx.audited(uow, caller, "agency.suspend", agency_id):
        reason = reason_text(reason)
        now = ctx.now()
        async with uow:
            agency = await _locked(uow, agency_id)
            if not agency.active:
                return agency
            agency = agency.suspend(reason, now)
            await uow.agencies.save(agency)
            uow.publish(
                events_pb2.AgencySuspended(agency_id=agency.id, reason=reason, suspend_time=timestamp(now)),
                subject=agency.id,
                agency_id=agency.id,
            )
            await uow.audit(caller.event("agency.suspend", now, target=agency.id))
        ctx.committed(uow)
        ctx.revocations.suspend_agency(agency.id)
        return agency


async def resume_agency(uow: IdentityUnitOfWork, ctx: Context, caller: Caller, agency_id: str) -> Agency:
    """Lift a suspension (idempotent); tokens issued before it stay invalid."""
    async with ctx.audited(uow, caller, "agency.resume", agency_id):
        now = ctx.now()
        async with uow:
            agency = await _locked(uow, agency_id)
            if agency.active:
                return agency
            agency = agency.resume(now)
            await uow.agencies.save(agency)
            uow.publish(
                events_pb2.AgencyResumed(agency_id=agency.id, resume_time=timestamp(now)),
                subject=agency.id,
                agency_id=agency.id,
            )
            await uow.audit(caller.event("agency.resume", now, target=agency.id))
        ctx.committed(uow)
        assert agency.suspended_at is not None
        ctx.revocations.resume_agency(agency.id, not_before=agency.suspended_at.timestamp())
        return agency


async def set_allowed_scopes(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, agency_id: str, scopes: list[str]
) -> Agency:
    """Replace the agency's ceiling; scopes its clients hold beyond it are removed from them."""
    async with ctx.audited(uow, caller, "agency.scopes.set", agency_id):
        now = ctx.now()
        async with uow:
            agency = await _locked(uow, agency_id)
            # The operator's own agency keeps what it holds; any other is capped below the operator scopes.
            ceiling = (
                grantable(ctx.catalogue)
                if is_operator(agency.allowed_scopes)
                else agency_grantable(ctx.catalogue)
            )
            allowed = check_grant(scopes, ceiling, await _held(uow, caller), "allowed_scopes")
            agency = replace(agency, allowed_scopes=allowed, updated_at=now)
            await uow.agencies.save(agency)
            await uow.clients.strip_scopes(agency.id, allowed)
            await uow.audit(caller.event("agency.scopes.set", now, target=agency.id))
        return agency


async def _held(uow: IdentityUnitOfWork, caller: Caller) -> frozenset[str]:
    """The scopes the calling agency holds (its ceiling): the most it may hand on."""
    own = await uow.agencies.get(caller.agency_id) if caller.agency_id else None
    if own is None or not own.active:
        raise PermissionDenied("the caller's agency is not active", reason="AGENCY_SUSPENDED")
    return own.allowed_scopes


async def _locked(uow: IdentityUnitOfWork, agency_id: str) -> Agency:
    if not agency_id:
        raise invalid("agency_id", "is required")
    agency = await uow.agencies.get(agency_id, for_update=True)
    if agency is None:
        raise NotFound("no such agency", reason="AGENCY_NOT_FOUND")
    return agency
