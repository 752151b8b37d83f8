"""identity's handler rules on the in-memory unit of work (``tests/identity/fakes.py``): no PostgreSQL, no server.

Scope grants, idempotent creates, client secrets, suspension and token revocation, each through the handler a
servicer calls, asserting what is stored, what the outbox holds and what the audit trail records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lienthong_identity.domain.agencies import AgencyKind
from lienthong_identity.domain.audit import Caller, Outcome
from lienthong_identity.domain.scopes import agency_grantable, grantable
from lienthong_identity.handlers import agencies, clients, tokens
from lienthong_identity.handlers.keys import SYSTEM
from lienthong_runtime.errors import AlreadyExists, DomainError, PermissionDenied, Unauthenticated
from tests.identity.fakes import FakeIdentityUnitOfWork, context

READ = "registry.citizens.read"
CLIENTS = "identity.clients.admin"


@pytest.fixture
def uow() -> FakeIdentityUnitOfWork:
    return FakeIdentityUnitOfWork()


@pytest.fixture
def ctx(uow: FakeIdentityUnitOfWork):  # type: ignore[no-untyped-def]
    return context(uow)


async def operator(uow, ctx) -> Caller:  # type: ignore[no-untyped-def]
    scopes = sorted(grantable(ctx.catalogue))
    agency, client, _ = await agencies.create_agency(
        uow, ctx, SYSTEM, "Operator", AgencyKind.OTHER, "", scopes, scopes, operator=True
    )
    assert client is not None
    return Caller(actor=client.id, agency_id=agency.id, scopes=frozenset(scopes))


async def agency_with(uow, ctx, boss: Caller, scopes: list[str]):  # type: ignore[no-untyped-def]
    """A ministry allowed ``scopes`` whose first client holds them; (caller as that client, client, secret)."""
    agency, client, secret = await agencies.create_agency(
        uow, ctx, boss, "Bộ Tư pháp", AgencyKind.MINISTRY, "", scopes, scopes
    )
    assert client is not None
    return Caller(actor=client.id, agency_id=agency.id, scopes=frozenset(scopes)), client, secret


def reason(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.reason


# ---- scope grants ----


async def test_an_agency_cannot_grant_a_scope_it_does_not_hold(uow, ctx):
    boss = await operator(uow, ctx)
    ministry, _, _ = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    with pytest.raises(PermissionDenied) as refused:
        await agencies.create_agency(
            uow, ctx, ministry, "Sở", AgencyKind.PROVINCE, "01", ["identity.audit.read"], []
        )
    assert reason(refused) == "SCOPE_NOT_HELD"
    assert len(uow.agencies_by_id) == 2  # nothing stored
    failure = uow.audit_rows[-1]
    assert (failure.action, failure.outcome, failure.reason) == (
        "agency.create",
        Outcome.FAILURE,
        "SCOPE_NOT_HELD",
    )


async def test_operator_scopes_stay_with_the_operator(uow, ctx):
    boss = await operator(uow, ctx)
    for scope in ("platform.admin", "identity.agencies.admin", "registry.policies.admin"):
        with pytest.raises(DomainError) as refused:
            await agencies.create_agency(uow, ctx, boss, "Sở", AgencyKind.PROVINCE, "01", [scope], [])
        assert reason(refused) == "SCOPE_NOT_ALLOWED", scope
    ministry, _, _ = await agency_with(uow, ctx, boss, sorted(agency_grantable(ctx.catalogue)))
    with pytest.raises(DomainError) as refused:
        await agencies.set_allowed_scopes(uow, ctx, boss, ministry.agency_id, ["platform.admin"])
    assert reason(refused) == "SCOPE_NOT_ALLOWED"


async def test_narrowing_an_agency_strips_its_clients(uow, ctx):
    boss = await operator(uow, ctx)
    ministry, client, _ = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    await agencies.set_allowed_scopes(uow, ctx, boss, ministry.agency_id, [CLIENTS])
    assert uow.client_rows[client.id].scopes == {CLIENTS}


# ---- idempotent creates ----


async def test_a_retried_create_client_returns_the_first_client_and_secret(uow, ctx):
    boss = await operator(uow, ctx)
    ministry, _, _ = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    first = await clients.create_client(uow, ctx, ministry, "App", [READ], "key-1")
    again = await clients.create_client(uow, ctx, ministry, "App", [READ], "key-1")
    assert again[0].id == first[0].id and again[1] == first[1]
    assert uow.event_types().count("ClientCreated") == 3  # operator's, ministry's first, this one: once
    with pytest.raises(AlreadyExists) as refused:
        await clients.create_client(uow, ctx, ministry, "Other app", [READ], "key-1")
    assert reason(refused) == "IDEMPOTENCY_KEY_REUSED"


async def test_a_retried_create_agency_returns_the_first_agency(uow, ctx):
    boss = await operator(uow, ctx)
    args = ("Sở Tư pháp", AgencyKind.PROVINCE, "01", [READ], [READ], "agency-key")
    first = await agencies.create_agency(uow, ctx, boss, *args)
    again = await agencies.create_agency(uow, ctx, boss, *args)
    assert again[0].id == first[0].id and again[2] == first[2]
    assert uow.event_types().count("AgencyCreated") == 2  # the operator's and this one


# ---- client secrets ----


async def test_only_the_right_secret_of_an_active_client_gets_a_token(uow, ctx):
    boss = await operator(uow, ctx)
    _, client, secret = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    token = await tokens.issue_token(uow, ctx, Caller(), client.id, secret, "", [])
    assert token.scopes == {CLIENTS, READ}
    with pytest.raises(Unauthenticated) as refused:
        await tokens.issue_token(uow, ctx, Caller(), client.id, secret + "x", "", [])
    assert reason(refused) == "INVALID_CLIENT"
    with pytest.raises(Unauthenticated):
        await tokens.issue_token(uow, ctx, Caller(), "cl_nobody", secret, "", [])
    with pytest.raises(PermissionDenied) as refused:
        await tokens.issue_token(uow, ctx, Caller(), client.id, secret, "", ["identity.audit.read"])
    assert reason(refused) == "SCOPE_NOT_GRANTED"


async def test_a_rotated_secret_overlaps_and_a_disabled_client_gets_nothing(uow, ctx):
    boss = await operator(uow, ctx)
    ministry, client, old = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    _, new, until = await clients.rotate_secret(uow, ctx, ministry, client.id, 3600)
    assert until - ctx.now() <= timedelta(seconds=3600)
    for secret in (old, new):  # both work inside the overlap
        await tokens.issue_token(uow, ctx, Caller(), client.id, secret, "", [])
    expired = uow.client_secrets[client.id][0]
    assert expired.expires_at == until  # the old one ends with the overlap
    await clients.disable_client(uow, ctx, ministry, client.id, "leaked")
    with pytest.raises(PermissionDenied) as refused:
        await tokens.issue_token(uow, ctx, Caller(), client.id, new, "", [])
    assert reason(refused) == "CLIENT_DISABLED"
    assert client.id in ctx.revocations.disabled_clients


async def test_another_agency_s_client_is_not_found(uow, ctx):
    boss = await operator(uow, ctx)
    ministry, _, _ = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    _, client, _ = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    with pytest.raises(DomainError) as refused:
        await clients.disable_client(uow, ctx, ministry, client.id, "not mine")
    assert reason(refused) == "CLIENT_NOT_FOUND"
    assert uow.client_rows[client.id].active


# ---- suspension ----


async def test_a_suspended_agency_gets_no_token_and_suspending_twice_publishes_once(uow, ctx):
    boss = await operator(uow, ctx)
    ministry, client, secret = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    await agencies.suspend_agency(uow, ctx, boss, ministry.agency_id, "audit")
    await agencies.suspend_agency(uow, ctx, boss, ministry.agency_id, "audit")
    assert uow.event_types().count("AgencySuspended") == 1
    with pytest.raises(PermissionDenied) as refused:
        await tokens.issue_token(uow, ctx, Caller(), client.id, secret, "", [])
    assert reason(refused) == "AGENCY_SUSPENDED"
    with pytest.raises(PermissionDenied) as refused:  # nor may it create clients
        await clients.create_client(uow, ctx, ministry, "App", [READ])
    assert reason(refused) == "AGENCY_SUSPENDED"
    resumed = await agencies.resume_agency(uow, ctx, boss, ministry.agency_id)
    assert resumed.active and uow.event_types().count("AgencyResumed") == 1
    await tokens.issue_token(uow, ctx, Caller(), client.id, secret, "", [])


# ---- token revocation ----


async def test_a_revoked_access_token_is_inactive_and_announced_once(uow, ctx):
    boss = await operator(uow, ctx)
    _, client, secret = await agency_with(uow, ctx, boss, [CLIENTS, READ])
    issued = await tokens.issue_token(uow, ctx, Caller(), client.id, secret, "", [])
    assert (await tokens.introspect(uow, ctx, issued.access_token, "")).active
    await tokens.revoke(uow, ctx, Caller(), issued.access_token, "")
    await tokens.revoke(uow, ctx, Caller(), issued.access_token, "")
    assert uow.event_types().count("TokenRevoked") == 1
    assert not (await tokens.introspect(uow, ctx, issued.access_token, "")).active
    await tokens.revoke(uow, ctx, Caller(), "not-a-token", "")  # RFC 7009: unknown tokens are fine
    assert uow.event_types().count("TokenRevoked") == 1


async def test_a_failed_call_commits_nothing_but_its_audit_record(uow, ctx):
    boss = await operator(uow, ctx)
    before = (len(uow.agencies_by_id), len(uow.client_rows), len(uow.outbox), len(uow.audit_rows))
    with pytest.raises(DomainError):
        await agencies.create_agency(uow, ctx, boss, "", AgencyKind.PROVINCE, "01", [READ], [READ])
    after = (len(uow.agencies_by_id), len(uow.client_rows), len(uow.outbox), len(uow.audit_rows))
    assert after == (*before[:3], before[3] + 1)  # the FAILURE audit record only
    assert uow.audit_rows[-1].outcome is Outcome.FAILURE
