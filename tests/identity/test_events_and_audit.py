"""Events reach the bus through the outbox; the audit trail records who/what/where and never a secret."""

from __future__ import annotations

import asyncio

from lienthong.identity.v1 import events_pb2
from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_runtime.events import connect_bus


async def test_suspension_and_revocation_are_published(identity):
    bus = connect_bus(identity.ctx.settings.bus_url)
    seen: list = []

    async def handler(envelope) -> None:
        seen.append(envelope)

    await bus.subscribe(
        "test-gateway",
        ["lienthong.identity.v1.AgencySuspended", "lienthong.identity.v1.TokenRevoked"],
        handler,
    )
    created = await identity.new_agency()
    token = await identity.token(created.initial_client.client_id, created.initial_client_secret)
    await identity.stub.RevokeToken(pb.RevokeTokenRequest(token=token))
    await identity.stub.SuspendAgency(
        pb.SuspendAgencyRequest(agency_id=created.agency.id, reason="audit"), metadata=await identity.admin()
    )
    for _ in range(100):
        if len(seen) >= 2:
            break
        await asyncio.sleep(0.05)
    by_type = {e.type: e for e in seen}
    revoked = events_pb2.TokenRevoked()
    by_type["lienthong.identity.v1.TokenRevoked"].payload.Unpack(revoked)
    assert revoked.subject == created.initial_client.client_id and revoked.token_id
    suspended = events_pb2.AgencySuspended()
    by_type["lienthong.identity.v1.AgencySuspended"].payload.Unpack(suspended)
    assert suspended.agency_id == created.agency.id and suspended.reason == "audit"


async def test_audit_trail_records_actions_without_secrets(identity):
    created = await identity.new_agency()
    client_id, secret = created.initial_client.client_id, created.initial_client_secret
    owner = await identity.auth(client_id, secret)
    rotated = await identity.stub.RotateClientSecret(
        pb.RotateClientSecretRequest(client_id=client_id), metadata=owner
    )
    try:
        await identity.stub.IssueToken(
            pb.IssueTokenRequest(client_id=client_id, client_secret="lts_wrong"),
            metadata=(("x-forwarded-for", "198.51.100.7"),),
        )
    except Exception:
        pass
    assert len(rotated.client.secrets) == 2  # old and new work during the overlap
    both_work = [await identity.token(client_id, s) for s in (secret, rotated.client_secret)]
    assert all(both_work)

    events = (
        await identity.stub.ListAuditEvents(pb.ListAuditEventsRequest(page_size=100), metadata=owner)
    ).events
    actions = {(e.action, e.outcome) for e in events}
    assert ("client.create", pb.AUDIT_OUTCOME_SUCCESS) in actions
    assert ("client.secret.rotate", pb.AUDIT_OUTCOME_SUCCESS) in actions
    assert ("token.issue", pb.AUDIT_OUTCOME_SUCCESS) in actions
    failure = next(e for e in events if e.action == "token.issue" and e.outcome == pb.AUDIT_OUTCOME_FAILURE)
    assert (failure.reason, failure.source_ip, failure.actor) == ("INVALID_CLIENT", "198.51.100.7", client_id)
    assert all(e.agency_id == created.agency.id for e in events)  # only the caller's agency
    text = str(events)
    for secret_value in (secret, rotated.client_secret, *both_work, "lts_wrong"):
        assert secret_value not in text
