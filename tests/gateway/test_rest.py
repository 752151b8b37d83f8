"""The REST face: routing and transcoding by the HttpRule rules, the same admission as gRPC (token, scopes, rate
limit, audit, request id, traceparent), AIP-193 errors carrying the upstream's ErrorInfo, and 400 for caller
mistakes (bad JSON, unknown field, wrong type, missing path parameter), over HTTP/1.1 and HTTP/2."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from lienthong.registry.v1 import registry_pb2

from .conftest import GET_CITIZEN, READ, run_gateway

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
SET_POLICY = "/lienthong.registry.v1.RegistryService/SetDisclosurePolicy"
LIST_POLICIES = "/lienthong.registry.v1.RegistryService/ListDisclosurePolicies"
SEARCH_PAYMENTS = "/lienthong.payment.v1.PaymentService/SearchPayments"


def _rest(gw) -> str:
    return f"http://127.0.0.1:{gw.gateway.rest.port}"


def _request_of(upstream, index: int, message_type):
    """The request message the upstream received (the fake echoes it after ``ok:a:``)."""
    return message_type.FromString(upstream.requests[index])


@pytest.fixture
def recording(upstream):
    """The fake upstream, answering an empty (valid) response message and keeping each request's bytes."""
    upstream.requests = []
    original = upstream._unary

    async def unary(request, context, method):
        upstream.requests.append(request)
        await original(b"", context, method)  # counts the call, records metadata and deadline
        return b""

    upstream._unary = unary
    return upstream


async def test_get_citizen_binds_path_and_query_and_forwards_the_same_metadata(mint, socket_dir, recording):
    async with run_gateway(mint, socket_dir, {"registry": [recording.target]}) as gw:
        headers = {
            **dict(mint.metadata([READ])),
            "x-request-id": "rest-req-1",
            "traceparent": TRACEPARENT,
        }
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            reply = await client.get(
                "/v1/citizens/001305001234?purpose=immigration.passport", headers=headers
            )
        assert reply.status_code == 200, reply.text
        assert reply.json() == {}
        assert reply.headers["x-request-id"] == "rest-req-1"
        assert reply.headers["cache-control"] == "no-store"
        sent = _request_of(recording, 0, registry_pb2.GetCitizenRequest)
        assert sent.personal_id == "001305001234" and sent.purpose == "immigration.passport"
        seen = recording.metadata[0]
        assert seen["x-request-id"] == "rest-req-1" and seen["traceparent"] == TRACEPARENT
        assert seen["authorization"].startswith("Bearer ")
    audit = [json.loads(line) for line in open(os.path.join(socket_dir, "audit.jsonl"))]
    assert audit[-1]["method"] == GET_CITIZEN and audit[-1]["request_id"] == "rest-req-1"
    assert audit[-1]["code"] == "OK"


async def test_nested_path_fields_and_a_field_body(mint, socket_dir, recording):
    async with run_gateway(mint, socket_dir, {"registry": [recording.target]}) as gw:
        headers = dict(mint.metadata(["registry.policies.admin"]))
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            reply = await client.put(
                "/v1/agencies/ag-1/disclosurePolicies/tax.audit",
                json={"agencyId": "ignored", "legalBasis": "Luật Quản lý thuế", "fields": ["full_name"]},
                headers=headers,
            )
            assert reply.status_code == 200, reply.text
            listed = await client.get("/v1/agencies/ag-2/disclosurePolicies?pageSize=5", headers=headers)
            assert listed.status_code == 200, listed.text
        policy = _request_of(recording, 0, registry_pb2.SetDisclosurePolicyRequest).policy
        assert (policy.agency_id, policy.purpose) == ("ag-1", "tax.audit")  # the path wins over the body
        assert policy.legal_basis == "Luật Quản lý thuế" and list(policy.fields) == ["full_name"]
        listing = _request_of(recording, 1, registry_pb2.ListDisclosurePoliciesRequest)
        assert (listing.agency_id, listing.page_size) == ("ag-2", 5)


async def test_refusals_are_aip193_with_the_gateways_error_info(mint, socket_dir, recording):
    async with run_gateway(mint, socket_dir, {"registry": [recording.target]}) as gw:
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            missing = await client.get("/v1/citizens/001305001234?purpose=x")
            wrong_scope = await client.get(
                "/v1/citizens/001305001234?purpose=x", headers=dict(mint.metadata(["payment.payments.read"]))
            )
            unknown = await client.get("/v1/nothing-here")
            not_allowed = await client.delete("/v1/citizens/001305001234")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == 'Bearer realm="lienthong"'
    assert (
        'error="insufficient_scope", scope="registry.citizens.read"'
        in wrong_scope.headers["www-authenticate"]
    )
    body = missing.json()["error"]
    assert body["status"] == "UNAUTHENTICATED" and body["code"] == 401
    info = next(d for d in body["details"] if d["@type"].endswith("google.rpc.ErrorInfo"))
    assert info["reason"] == "TOKEN_MISSING" and info["domain"] == "lienthong.vn"
    assert info["metadata"]["request_id"] == missing.headers["x-request-id"]
    denied = wrong_scope.json()["error"]
    assert wrong_scope.status_code == 403 and denied["details"][0]["reason"] == "SCOPE_MISSING"
    assert unknown.status_code == 404 and unknown.json()["error"]["details"][0]["reason"] == "ROUTE_NOT_FOUND"
    assert not_allowed.status_code == 405
    assert recording.calls[GET_CITIZEN] == 0  # nothing reached the upstream


async def test_upstream_errors_keep_their_reason_and_map_to_http(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        # The fake upstream fails with NOT_FOUND / CITIZEN_NOT_FOUND (and ErrorInfo metadata) on b"fail".
        original = upstream._unary

        async def failing(request, context, method):
            return await original(b"fail", context, method)

        upstream._unary = failing
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            reply = await client.get(
                "/v1/citizens/001305001234?purpose=x", headers=dict(mint.metadata([READ]))
            )
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["status"] == "NOT_FOUND" and error["message"] == "no such citizen"
    assert error["details"][0]["reason"] == "CITIZEN_NOT_FOUND"
    assert error["details"][0]["metadata"] == {"citizen_id": "001"}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/v1/citizens", b'{"citizen": {', ""),  # bad JSON
        ("POST", "/v1/citizens", b'{"citizen": {}, "nickname": "x"}', "nickname"),  # unknown field
        (
            "POST",
            "/v1/citizens",
            b'{"citizen": {"dateOfBirth": {"year": "two thousand"}}}',
            "citizen.dateOfBirth.year",
        ),
        ("GET", "/v1/citizens/?purpose=x", None, "personal_id"),  # missing path parameter
        ("GET", "/v1/citizens//versions?purpose=x", None, "personal_id"),
        ("GET", "/v1/citizens/001305001234?purpose=x&colour=blue", None, "colour"),  # unknown query parameter
        ("GET", "/v1/disclosurePolicies?pageSize=many", None, "page_size"),  # wrong type in the query
    ],
    ids=[
        "bad-json",
        "unknown-field",
        "wrong-type",
        "missing-path-param",
        "empty-segment",
        "unknown-query",
        "wrong-query-type",
    ],
)
async def test_caller_mistakes_are_400_with_a_bad_request(
    mint, socket_dir, recording, method, path, body, field
):
    scopes = [READ, "registry.citizens.write", "registry.policies.admin"]
    async with run_gateway(mint, socket_dir, {"registry": [recording.target]}) as gw:
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            reply = await client.request(method, path, content=body, headers=dict(mint.metadata(scopes)))
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and error["code"] == 400
    bad = next(d for d in error["details"] if d["@type"].endswith("google.rpc.BadRequest"))
    assert bad["fieldViolations"][0].get("field", "") == field
    assert any(d["@type"].endswith("google.rpc.ErrorInfo") for d in error["details"])
    assert recording.requests == []  # nothing reached the upstream


async def test_repeated_enums_and_timestamps_in_the_query(mint, socket_dir, recording):
    from lienthong.payment.v1 import payment_pb2

    async with run_gateway(mint, socket_dir, {"payment": [recording.target]}) as gw:
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            reply = await client.get(
                "/v1/payments?states=PAYMENT_STATE_SUCCESS&states=PAYMENT_STATE_FAILED"
                "&createTimeStart=2026-12-01T00:00:00Z&page_size=10",
                headers=dict(mint.metadata(["payment.payments.read"])),
            )
    assert reply.status_code == 200, reply.text
    sent = _request_of(recording, 0, payment_pb2.SearchPaymentsRequest)
    assert list(sent.states) == [payment_pb2.PAYMENT_STATE_SUCCESS, payment_pb2.PAYMENT_STATE_FAILED]
    assert sent.create_time_start.seconds > 0 and sent.page_size == 10


async def test_http2_with_prior_knowledge_and_http11_both_work(mint, socket_dir, recording):
    async with run_gateway(mint, socket_dir, {"registry": [recording.target]}) as gw:
        headers = dict(mint.metadata([READ]))
        async with httpx.AsyncClient(base_url=_rest(gw), http1=False, http2=True) as h2:
            over_h2 = await h2.get("/v1/citizens/001305001234?purpose=x", headers=headers)
        async with httpx.AsyncClient(base_url=_rest(gw)) as h1:
            over_h1 = await h1.get("/v1/citizens/001305001234?purpose=x", headers=headers)
    assert over_h2.http_version == "HTTP/2" and over_h2.status_code == 200
    assert over_h1.http_version == "HTTP/1.1" and over_h1.status_code == 200


async def test_the_rate_limit_is_shared_with_grpc_and_refuses_with_429(mint, socket_dir, recording):
    """One budget for both faces: gRPC calls spend it, the REST call that exceeds it is 429 with Retry-After."""
    tight = {"rate": 0.001, "burst": 2}
    limits = {"agency": {"read": tight, "write": tight}, "client": {"read": tight, "write": tight}}
    async with run_gateway(
        mint, socket_dir, {"registry": [recording.target]}, redis_url="", rate_limits=limits
    ) as gw:
        metadata = mint.metadata([READ], agency="agency-429")
        await gw.unary(GET_CITIZEN)(b"", metadata=metadata)
        await gw.unary(GET_CITIZEN)(b"", metadata=metadata)
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            reply = await client.get("/v1/citizens/001305001234?purpose=x", headers=dict(metadata))
    assert reply.status_code == 429, reply.text
    assert int(reply.headers["retry-after"]) >= 1
    error = reply.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert next(d for d in error["details"] if "ErrorInfo" in d["@type"])["reason"] == "RATE_LIMITED"


def test_the_descriptor_set_has_imports_and_source_info():
    from google.protobuf import descriptor_pb2

    from tools.gen_openapi import descriptor_set

    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set())
    names = {f.name for f in files.file}
    assert {
        "google/api/http.proto",
        "google/protobuf/timestamp.proto",
        "lienthong/registry/v1/registry.proto",
    } <= names
    registry = next(f for f in files.file if f.name == "lienthong/registry/v1/registry.proto")
    assert any("purpose" in loc.leading_comments for loc in registry.source_code_info.location)
    assert registry.options.java_package == "vn.lienthong.registry.v1" and registry.options.go_package


async def test_oauth2_and_well_known_are_passed_to_identity(mint, socket_dir, upstream):
    """Method, path, query, body and the needed headers reach identity's HTTP server; its answer comes back.
    With identity unreachable the answer is 503 in the AIP-193 shape."""
    from aiohttp import web

    seen: list[dict] = []

    async def token(request: web.Request) -> web.Response:
        seen.append(
            {
                "path": request.path_qs,
                "body": await request.text(),
                "authorization": request.headers.get("authorization"),
                "forwarded_for": request.headers.get("x-forwarded-for"),
                "cookie": request.headers.get("cookie"),
            }
        )
        return web.json_response(
            {"error": "invalid_client"}, status=401, headers={"cache-control": "no-store"}
        )

    app = web.Application()
    app.router.add_post("/oauth2/token", token)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with run_gateway(
            mint, socket_dir, {"registry": [upstream.target]}, identity_http_url=f"http://127.0.0.1:{port}"
        ) as gw:
            async with httpx.AsyncClient(base_url=_rest(gw)) as client:
                reply = await client.post(
                    "/oauth2/token?x=1",
                    data={"grant_type": "client_credentials"},
                    auth=("client-1", "secret"),
                    headers={"cookie": "session=abc", "x-forwarded-for": "6.6.6.6"},
                )
    finally:
        await runner.cleanup()
    assert reply.status_code == 401 and reply.json() == {"error": "invalid_client"}
    assert reply.headers["cache-control"] == "no-store"
    assert seen == [
        {
            "path": "/oauth2/token?x=1",
            "body": "grant_type=client_credentials",
            "authorization": "Basic Y2xpZW50LTE6c2VjcmV0",
            "forwarded_for": "127.0.0.1",  # the direct peer, not what the caller claimed
            "cookie": None,  # only the headers the endpoints need go through
        }
    ]
    async with run_gateway(
        mint, socket_dir, {"registry": [upstream.target]}, identity_http_url=f"http://127.0.0.1:{port}"
    ) as gw:
        async with httpx.AsyncClient(base_url=_rest(gw)) as client:
            down = await client.get("/.well-known/openid-configuration")
    assert down.status_code == 503 and down.json()["error"]["status"] == "UNAVAILABLE"


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/v1/citizens/{personal_id}", "/v1/citizens/001305001234", {"personal_id": "001305001234"}),
        ("/v1/citizens/{personal_id}", "/v1/citizens/001305001234:verify", None),  # a verb is not an id
        ("/v1/payments/{payment_id}:start", "/v1/payments/p-1:start", {"payment_id": "p-1"}),
        ("/v1/{name=agencies/*}/policies", "/v1/agencies/a-1/policies", {"name": "agencies/a-1"}),
        ("/v1/{path=files/**}", "/v1/files/a/b/c", {"path": "files/a/b/c"}),
        ("/v1/agencies/{a.b}/x/{c}", "/v1/agencies//x/y", {"a.b": "", "c": "y"}),  # empty: 400 later, not 404
    ],
)
def test_path_templates_follow_the_http_rule_grammar(template, path, expected):
    from lienthong_gateway.rest.rules import compile_template

    pattern, variables = compile_template(template)
    found = pattern.match(path)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert {name: found.group(f"v{i}") for i, name in enumerate(variables)} == expected
