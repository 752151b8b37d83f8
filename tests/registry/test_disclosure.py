"""Purpose-bound disclosure: an agency with a narrow policy never receives a field outside it."""

import datetime as dt

import grpc
import pytest

from lienthong.registry.v1 import registry_pb2 as pb

from .factories import citizen, date, reason

pytestmark = pytest.mark.postgres

NARROW = ["full_name", "life_status"]
READ = ("registry.citizens.read", "registry.citizens.search", "registry.citizens.verify")


def _only(view: pb.CitizenView, allowed: list[str]) -> None:
    present = {f.name for f, _ in view.ListFields()} - {"personal_id", "version", "disclosed_fields"}
    assert present <= set(allowed), present
    assert set(view.disclosed_fields) <= set(allowed)


async def test_narrow_policy_never_leaks_a_field(registry):
    birth = dt.date(1985, 3, 9)
    head = await registry.create(citizen("Lê Văn Hùng", birth, household="HH-7", relation=1))
    await registry.create(citizen("Lê Thị Mai", dt.date(2012, 8, 1), sex=2, household="HH-7", relation=3))
    await registry.policy("agency-insurance", "social_insurance.enrolment", NARROW)
    md = registry.md(READ, agency="agency-insurance")

    got = (
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=head.personal_id, purpose="social_insurance.enrolment"),
            metadata=md,
        )
    ).citizen
    _only(got, NARROW)
    assert got.full_name == "Lê Văn Hùng" and not got.HasField("date_of_birth") and not got.HasField("sex")

    members = (
        await registry.stub.ListHousehold(
            pb.ListHouseholdRequest(household_id="HH-7", purpose="social_insurance.enrolment"), metadata=md
        )
    ).members
    assert [m.full_name for m in members] == ["Lê Văn Hùng", "Lê Thị Mai"]  # head first
    for member in members:
        _only(member, NARROW)

    found = (
        await registry.stub.SearchCitizens(
            pb.SearchCitizensRequest(
                full_name="LÊ VĂN  HÙNG",
                date_of_birth=date(birth),
                province_code="01",
                purpose="social_insurance.enrolment",
            ),
            metadata=md,
        )
    ).citizens
    assert [c.personal_id for c in found] == [head.personal_id]
    _only(found[0], NARROW)

    history = (
        await registry.stub.GetCitizenHistory(
            pb.GetCitizenHistoryRequest(personal_id=head.personal_id, purpose="social_insurance.enrolment"),
            metadata=md,
        )
    ).versions
    _only(history[0].snapshot, NARROW)


async def test_a_purpose_without_policy_is_refused(registry):
    pid = (await registry.create(citizen())).personal_id
    await registry.policy("agency-insurance", "social_insurance.enrolment", NARROW)
    md = registry.md(READ, agency="agency-insurance")
    for call, request in [
        (registry.stub.GetCitizen, pb.GetCitizenRequest(personal_id=pid, purpose="tax.assessment")),
        (registry.stub.ListHousehold, pb.ListHouseholdRequest(household_id="HH-1", purpose="tax.assessment")),
        (
            registry.stub.SearchCitizens,
            pb.SearchCitizensRequest(
                full_name="Nguyễn Văn An", date_of_birth=date(dt.date(1990, 5, 17)), purpose="tax.assessment"
            ),
        ),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request, metadata=md)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert reason(caught.value) == "PURPOSE_NOT_ALLOWED"
    # The policy of another agency for that purpose does not help.
    await registry.policy("agency-tax", "tax.assessment", ["full_name"])
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=pid, purpose="tax.assessment"), metadata=md
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.GetCitizen(pb.GetCitizenRequest(personal_id=pid), metadata=md)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_verification_answers_match_or_no_match_only(registry):
    created = await registry.create(citizen("Phạm Thị Hồng", dt.date(2001, 2, 3), sex=2))
    await registry.policy("agency-bank", "kyc.account_opening", [])
    md = registry.md(READ, agency="agency-bank")

    async def verify(pid, **claims):
        request = pb.VerifyCitizenRequest(
            personal_id=pid, claims=pb.CitizenClaims(**claims), purpose="kyc.account_opening"
        )
        return (await registry.stub.VerifyCitizen(request, metadata=md)).result

    pid = created.personal_id
    assert await verify(pid, full_name="PHẠM THỊ HỒNG", date_of_birth=date(dt.date(2001, 2, 3))) == 1
    assert await verify(pid, full_name="Pham Thi Hong") == 2  # diacritics matter
    assert await verify(pid, full_name="Phạm Thị Hồng", sex=pb.SEX_MALE) == 2
    assert await verify("001201999999", full_name="Phạm Thị Hồng") == 2  # unknown ID: NO_MATCH, not NOT_FOUND
