"""Disclosure policy administration, the caller's granted purposes, and audit isolation between agencies."""

import grpc
import pytest

from lienthong.registry.v1 import registry_pb2 as pb

from .factories import bad_request, citizen, reason

pytestmark = pytest.mark.postgres


async def test_policy_lifecycle_and_granted_purposes(registry):
    for purpose in ("a.one", "a.two", "a.three"):
        await registry.policy("agency-x", purpose, ["sex", "full_name"])
    await registry.policy("agency-y", "b.one", [])
    got = (
        await registry.stub.GetDisclosurePolicy(
            pb.GetDisclosurePolicyRequest(agency_id="agency-x", purpose="a.one"), metadata=registry.md()
        )
    ).policy
    assert list(got.fields) == ["full_name", "sex"] and got.create_time.seconds > 0

    first = await registry.stub.ListDisclosurePolicies(
        pb.ListDisclosurePoliciesRequest(page_size=2), metadata=registry.md()
    )
    rest = await registry.stub.ListDisclosurePolicies(
        pb.ListDisclosurePoliciesRequest(page_size=2, page_token=first.next_page_token),
        metadata=registry.md(),
    )
    assert [p.purpose for p in [*first.policies, *rest.policies]] == ["a.one", "a.three", "a.two", "b.one"]
    assert rest.next_page_token == ""

    granted = await registry.stub.ListGrantedPurposes(
        pb.ListGrantedPurposesRequest(), metadata=registry.md(("registry.citizens.read",), agency="agency-y")
    )
    assert [p.purpose for p in granted.policies] == ["b.one"]

    await registry.stub.DeleteDisclosurePolicy(
        pb.DeleteDisclosurePolicyRequest(agency_id="agency-x", purpose="a.one"), metadata=registry.md()
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.GetDisclosurePolicy(
            pb.GetDisclosurePolicyRequest(agency_id="agency-x", purpose="a.one"), metadata=registry.md()
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND and reason(caught.value) == "POLICY_NOT_FOUND"


async def test_invalid_policies_are_refused(registry):
    bad = pb.DisclosurePolicy(
        agency_id="agency-x", purpose="Not A Purpose", fields=["salary"], legal_basis=""
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.SetDisclosurePolicy(
            pb.SetDisclosurePolicyRequest(policy=bad), metadata=registry.md()
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {f for f, _ in bad_request(caught.value)} == {
        "policy.purpose",
        "policy.fields",
        "policy.legal_basis",
    }
    nul = pb.DisclosurePolicy(agency_id="agency\x00x", purpose="a.b", fields=[], legal_basis="law\x00")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.SetDisclosurePolicy(
            pb.SetDisclosurePolicyRequest(policy=nul), metadata=registry.md()
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {f for f, _ in bad_request(caught.value)} == {"policy.agency_id", "policy.legal_basis"}
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.GetDisclosurePolicy(
            pb.GetDisclosurePolicyRequest(agency_id="a\x00", purpose="a.b"), metadata=registry.md()
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_an_agency_audits_only_its_own_reads_and_a_deleted_policy_stops_reads(registry):
    pid = (await registry.create(citizen())).personal_id
    for agency in ("agency-a", "agency-b"):
        await registry.policy(agency, "x.read", ["full_name"])
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=pid, purpose="x.read"),
            metadata=registry.md(("registry.citizens.read",), agency=agency),
        )
    log = await registry.stub.ListAccessLog(
        pb.ListAccessLogRequest(), metadata=registry.md(("registry.access_log.audit",), agency="agency-a")
    )
    assert [e.agency_id for e in log.entries] == ["agency-a"] and log.entries[0].personal_id == pid

    await registry.stub.DeleteDisclosurePolicy(
        pb.DeleteDisclosurePolicyRequest(agency_id="agency-a", purpose="x.read"), metadata=registry.md()
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=pid, purpose="x.read"),
            metadata=registry.md(("registry.citizens.read",), agency="agency-a"),
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_my_access_log_needs_a_citizen_token(registry):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.ListMyAccessLog(
            pb.ListMyAccessLogRequest(), metadata=registry.md(("citizen.self",), kind="client")
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert reason(caught.value) == "CITIZEN_TOKEN_REQUIRED"


async def test_forged_page_tokens_are_invalid_arguments(registry):
    import base64
    import json

    def forge(kind, value):
        return base64.urlsafe_b64encode(json.dumps([kind, value]).encode()).decode()

    pid = (await registry.create(citizen(household="HH-F", relation=1))).personal_id
    await registry.policy("agency-registrar", "x.read", ["full_name"])
    md = registry.md()
    calls = [
        (
            registry.stub.ListHousehold,
            pb.ListHouseholdRequest(
                household_id="HH-F", purpose="x.read", page_token=forge("household", ["a", "zz"])
            ),
        ),
        (
            registry.stub.GetCitizenHistory,
            pb.GetCitizenHistoryRequest(personal_id=pid, purpose="x.read", page_token=forge("history", "1")),
        ),
        (
            registry.stub.ListDisclosurePolicies,
            pb.ListDisclosurePoliciesRequest(page_token=forge("policies:", [1])),
        ),
        (registry.stub.ListAccessLog, pb.ListAccessLogRequest(page_token="%%%")),
    ]
    for call, request in calls:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request, metadata=md)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, call
        assert reason(caught.value) == "PAGE_TOKEN_INVALID"


async def test_concurrent_puts_of_one_policy_all_succeed_and_the_policy_is_whole(registry):
    """Two front doors may replay the same PUT at once (the multi-process journey through PgBouncer did): the
    upsert is one statement, so no call collides on the key and answers INTERNAL."""
    import asyncio

    await asyncio.gather(*(registry.policy("agency-race", "r.one", ["sex", "full_name"]) for _ in range(12)))
    got = (
        await registry.stub.GetDisclosurePolicy(
            pb.GetDisclosurePolicyRequest(agency_id="agency-race", purpose="r.one"), metadata=registry.md()
        )
    ).policy
    assert list(got.fields) == ["full_name", "sex"] and got.create_time.seconds > 0
