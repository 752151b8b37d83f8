"""Paging with the runtime's reasons, policy administration, and the access log as citizens and agencies see it."""

from __future__ import annotations

import base64
import json

import pytest

from lienthong_registry.domain.disclosure import DisclosurePolicy
from lienthong_registry.domain.sex import HouseholdRelation
from lienthong_registry.handlers import audit, citizens, policies, reads
from lienthong_runtime.errors import InvalidArgument, NotFound

from .conftest import INSURER, REASON, REGISTRAR, record


def _forged(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


@pytest.mark.parametrize("size", [-1, 501])
async def test_a_page_size_out_of_range_is_refused_not_clamped(registry, size):
    registry.grant(INSURER.agency_id, "x.read", ("full_name",))
    with pytest.raises(InvalidArgument) as caught:
        await reads.list_household(registry.services, INSURER, "HH-1", "x.read", size, "")
    assert caught.value.reason == "PAGE_SIZE_INVALID"


@pytest.mark.parametrize(
    "token", ["%%%", _forged("household", "a", "zz"), _forged("history", 1), _forged("household", [1])]
)
async def test_a_token_not_issued_by_this_method_is_refused(registry, token):
    registry.grant(INSURER.agency_id, "x.read", ("full_name",))
    with pytest.raises(InvalidArgument) as caught:
        await reads.list_household(registry.services, INSURER, "HH-1", "x.read", 0, token)
    assert caught.value.reason == "PAGE_TOKEN_INVALID"
    assert registry.reads.calls == 0


async def test_household_pages_follow_each_other(registry):
    for n, relation in enumerate(
        (HouseholdRelation.HEAD, HouseholdRelation.SPOUSE, HouseholdRelation.CHILD), 1
    ):
        await citizens.create_citizen(
            registry.uow,
            registry.services,
            REGISTRAR,
            record(serial=n, household="HH-1", relation=relation),
            REASON,
        )
    registry.grant(INSURER.agency_id, "x.read", ("household_relation",))
    seen, token = [], ""
    while True:
        views, token = await reads.list_household(registry.services, INSURER, "HH-1", "x.read", 2, token)
        seen += [v.values["household_relation"] for v in views]
        if not token:
            break
    assert seen == [HouseholdRelation.HEAD, HouseholdRelation.SPOUSE, HouseholdRelation.CHILD]


async def test_policy_changes_clear_the_cache_and_a_missing_one_is_not_found(registry):
    stored = await policies.set_policy(
        registry.uow, registry.services, DisclosurePolicy("agency-x", "a.one", ("sex", "full_name"), " law ")
    )
    assert stored.fields == ("full_name", "sex") and stored.legal_basis == "law"  # canonical order, trimmed
    assert registry.policies.invalidated == 1
    assert await policies.get_policy(registry.uow, "agency-x", "a.one") == stored
    await policies.delete_policy(registry.uow, registry.services, "agency-x", "a.one")
    assert registry.policies.invalidated == 2
    with pytest.raises(NotFound) as caught:
        await policies.delete_policy(registry.uow, registry.services, "agency-x", "a.one")
    assert caught.value.reason == "POLICY_NOT_FOUND"


async def test_policies_list_in_pages_and_an_agency_sees_its_own_grants(registry):
    for agency, purpose in [("agency-x", "a.one"), ("agency-x", "a.two"), ("agency-y", "b.one")]:
        registry.grant(agency, purpose, ())
    first, token = await policies.list_policies(registry.uow, "", 2, "")
    rest, last = await policies.list_policies(registry.uow, "", 2, token)
    assert [p.purpose for p in first + rest] == ["a.one", "a.two", "b.one"] and last == ""
    with pytest.raises(InvalidArgument):  # a token of the unfiltered list is not one of agency-x's list
        await policies.list_policies(registry.uow, "agency-x", 2, token)
    granted, _ = await policies.granted_purposes(registry.uow, INSURER, 0, "")
    assert granted == []


async def test_citizens_and_agencies_read_the_log_about_them_only(registry):
    created = await citizens.create_citizen(registry.uow, registry.services, REGISTRAR, record(), REASON)
    registry.grant(INSURER.agency_id, "x.read", ("full_name",))
    await reads.get_citizen(registry.services, INSURER, created.personal_id, "x.read")
    mine, _ = await audit.my_access_log(registry.services, created.personal_id, 0, 0, "")
    assert [(e.agency_id, ok) for e, ok in mine] == [(INSURER.agency_id, True), (REGISTRAR.agency_id, True)]
    theirs, _ = await audit.agency_access_log(registry.services, INSURER, "", 0, 0, 0, "")
    assert [(e.agency_id, pid) for e, pid in theirs] == [(INSURER.agency_id, created.personal_id)]
    reads_before = registry.reads.calls
    assert (await audit.my_record(registry.services, created.personal_id)) == created
    assert len(registry.log) == 2 and registry.reads.calls == reads_before + 1  # own record: no entry
