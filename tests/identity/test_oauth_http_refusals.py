"""The OAuth HTTP endpoints refuse as RFC 6749 / 6750 / 7662 / 7009 say, with the same reasons, audit records and
per-address budget as the gRPC methods; introspection and revocation behave as IntrospectToken / RevokeToken."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from lienthong.identity.v1 import identity_pb2 as pb

from .conftest import serve

pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def post(
    url: str, data: Any = None, headers: dict[str, str] | None = None, **kw: Any
) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url, data=data, headers=headers, **kw)


async def test_token_refusals_carry_rfc6749_codes_and_the_grpc_reasons(oauth):
    identity, issuer = oauth
    token_url = f"{issuer}/oauth2/token"
    created = await identity.new_agency()
    client_id, secret = created.initial_client.client_id, created.initial_client_secret
    grant = {"grant_type": "client_credentials"}

    wrong = await post(token_url, grant, basic(client_id, secret + "x"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert wrong.json()["reason"] == "INVALID_CLIENT"
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")
    assert wrong.headers["Cache-Control"] == "no-store"

    unknown = await post(token_url, {**grant, "client_id": "cl_nobody", "client_secret": secret})
    assert unknown.status_code == 401 and unknown.json()["reason"] == "INVALID_CLIENT"

    cases = [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({**grant, "scope": "platform.admin"}, 400, "invalid_scope"),
    ]
    for form, status, error in cases:
        reply = await post(token_url, form, basic(client_id, secret))
        assert (reply.status_code, reply.json()["error"]) == (status, error), form
    both = await post(
        token_url, {**grant, "client_id": client_id, "client_secret": secret}, basic(client_id, secret)
    )
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"  # two methods at once
    none = await post(token_url, grant)
    assert none.status_code == 401 and none.json()["error"] == "invalid_client"
    as_json = await post(token_url, json=grant, headers=basic(client_id, secret))
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    repeated = await post(
        token_url,
        content="grant_type=client_credentials&scope=a&scope=b",
        headers={**basic(client_id, secret), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert repeated.status_code == 400 and "repeated" in repeated.json()["error_description"]
    huge = await post(token_url, {**grant, "scope": "x" * 2_000_000}, basic(client_id, secret))
    assert huge.status_code == 413 and huge.json()["error"] == "invalid_request"
    garbage = await post(
        token_url,
        content=b"grant_type=\xff\xfe%zz",
        headers={**basic(client_id, secret), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert garbage.status_code in {400, 401} and "error" in garbage.json()  # a clean refusal, never a 500
    async with httpx.AsyncClient() as http:
        assert (await http.get(token_url)).status_code == 405

    await identity.stub.DisableClient(
        pb.DisableClientRequest(client_id=client_id, reason="retired"),
        metadata=await identity.auth(client_id, secret),
    )
    disabled = await post(token_url, grant, basic(client_id, secret))
    assert disabled.status_code == 400 and disabled.json()["error"] == "unauthorized_client"
    assert disabled.json()["reason"] == "CLIENT_DISABLED"


async def test_token_requests_are_audited_with_the_connection_address(oauth):
    identity, issuer = oauth
    created = await identity.new_agency()
    client_id, secret = created.initial_client.client_id, created.initial_client_secret
    forged = {"X-Forwarded-For": "203.0.113.7", "X-Request-Id": "req-oauth-1"}
    ok = await post(
        f"{issuer}/oauth2/token", {"grant_type": "client_credentials"}, {**basic(client_id, secret), **forged}
    )
    assert ok.status_code == 200 and ok.headers["X-Request-Id"] == "req-oauth-1"
    await post(
        f"{issuer}/oauth2/token",
        {"grant_type": "client_credentials"},
        {**basic(client_id, "nope"), **forged, "X-Request-Id": "req-oauth-2"},
    )

    reply = await identity.stub.ListAuditEvents(
        pb.ListAuditEventsRequest(action="token.issue"), metadata=await identity.auth(client_id, secret)
    )
    mine = [e for e in reply.events if e.request_id == "req-oauth-1"]
    assert len(mine) == 1 and mine[0].outcome == pb.AUDIT_OUTCOME_SUCCESS
    assert mine[0].source_ip == "127.0.0.1"  # not a trusted proxy: its X-Forwarded-For is not believed
    failed = [e for e in reply.events if e.request_id == "req-oauth-2"]
    assert [(e.outcome, e.reason, e.source_ip) for e in failed] == [
        (pb.AUDIT_OUTCOME_FAILURE, "INVALID_CLIENT", "127.0.0.1")
    ]


async def test_forwarded_address_is_believed_from_a_trusted_proxy_only(migrated_pg, unix_socket, tmp_path):
    server, identity, issuer = await serve(
        migrated_pg, unix_socket, tmp_path, trusted_proxies=["127.0.0.1/32"]
    )
    try:
        created = await identity.new_agency()
        client_id, secret = created.initial_client.client_id, created.initial_client_secret
        headers = {
            **basic(client_id, secret),
            "X-Forwarded-For": "198.51.100.1, 203.0.113.9",
            "X-Request-Id": "fwd-1",
        }
        assert (
            await post(f"{issuer}/oauth2/token", {"grant_type": "client_credentials"}, headers)
        ).status_code == 200
        reply = await identity.stub.ListAuditEvents(
            pb.ListAuditEventsRequest(action="token.issue"), metadata=await identity.auth(client_id, secret)
        )
        # The rightmost hop the trusted proxy saw, not the leftmost the client may have written.
        assert [e.source_ip for e in reply.events if e.request_id == "fwd-1"] == ["203.0.113.9"]
    finally:
        await identity.channel.close()
        await server.stop(0)


async def test_each_address_has_a_budget(migrated_pg, unix_socket, tmp_path):
    server, identity, issuer = await serve(
        migrated_pg, unix_socket, tmp_path, oauth_http_rate=0.01, oauth_http_burst=2
    )
    try:
        replies = [
            await post(f"{issuer}/oauth2/token", {"grant_type": "client_credentials"}) for _ in range(3)
        ]
        assert [r.status_code for r in replies] == [401, 401, 429]
        assert replies[2].json()["reason"] == "RATE_LIMITED" and int(replies[2].headers["Retry-After"]) >= 1
    finally:
        await identity.channel.close()
        await server.stop(0)


async def test_introspection_and_revocation(oauth):
    identity, issuer = oauth
    created = await identity.new_agency()
    client_id, secret = created.initial_client.client_id, created.initial_client_secret
    token = await identity.token(client_id, secret, ["registry.citizens.read"])
    resource = await identity.token(client_id, secret, ["identity.tokens.introspect"])
    introspect = f"{issuer}/oauth2/introspect"

    anonymous = await post(introspect, {"token": token})
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    weak = await post(introspect, {"token": token}, {"Authorization": f"Bearer {token}"})
    assert weak.status_code == 403 and weak.json()["error"] == "insufficient_scope"

    bearer = {"Authorization": f"Bearer {resource}"}
    active = (await post(introspect, {"token": token, "token_type_hint": "access_token"}, bearer)).json()
    assert active["active"] is True and active["scope"] == "registry.citizens.read"
    assert active["agency"] == created.agency.id and active["client_id"] == client_id
    assert active["iss"] == issuer and active["token_type"] == "Bearer"
    assert (await post(introspect, {"token": "not-a-token"}, bearer)).json() == {"active": False}

    revoked = await post(f"{issuer}/oauth2/revoke", {"token": token, "token_type_hint": "access_token"})
    assert revoked.status_code == 200
    assert (await post(f"{issuer}/oauth2/revoke", {"token": "unknown"})).status_code == 200  # RFC 7009 2.2
    assert (await post(introspect, {"token": token}, bearer)).json() == {"active": False}
    grpc_view = await identity.stub.IntrospectToken(
        pb.IntrospectTokenRequest(token=token), metadata=(("authorization", f"Bearer {resource}"),)
    )
    assert grpc_view.active is False
