"""Disclosure: each purpose discloses exactly its policy's fields, never more; a purpose without a policy reads
nothing and logs nothing; every read that answers is in the access log with what it disclosed."""

from __future__ import annotations

import dataclasses

import pytest

from lienthong_registry.domain.access_log import AccessAction
from lienthong_registry.domain.citizen import DISCLOSABLE_FIELDS
from lienthong_registry.domain.disclosure import written
from lienthong_registry.domain.sex import HouseholdRelation
from lienthong_registry.handlers import citizens, reads
from lienthong_registry.handlers.lookup import search_citizens
from lienthong_runtime.errors import InvalidArgument, NotFound, PermissionDenied, Unavailable

from ..fakes import NOW
from .conftest import INSURER, REASON, REGISTRAR, record

NARROW = ("full_name", "life_status")


async def _create(registry, citizen=None):
    return await citizens.create_citizen(
        registry.uow, registry.services, REGISTRAR, citizen or record(), REASON
    )


@pytest.mark.parametrize(
    "fields", [(), NARROW, ("date_of_birth", "permanent_address"), DISCLOSABLE_FIELDS], ids=len
)
async def test_a_read_discloses_exactly_the_policy_fields_and_logs_them(registry, fields):
    created = await _create(registry)
    registry.grant(INSURER.agency_id, "social_insurance.enrolment", fields)
    view = await reads.get_citizen(
        registry.services, INSURER, created.personal_id, "social_insurance.enrolment"
    )
    assert set(view.values) == set(fields) & set(created.set_fields())
    assert all(view.values[name] == created.value(name) for name in view.values)
    entry = registry.log[-1]
    assert (entry.action, entry.agency_id, entry.purpose) == (
        AccessAction.READ,
        INSURER.agency_id,
        "social_insurance.enrolment",
    )
    assert list(entry.fields) == view.disclosed_fields and entry.legal_basis == "Luật Cư trú 2020"
    # The entry names the record only by blind index and ciphertext.
    assert created.personal_id not in repr(dataclasses.astuple(entry))
    assert registry.services.unseal_personal_id(entry) == created.personal_id


async def test_another_agencys_policy_for_the_same_purpose_grants_nothing(registry):
    created = await _create(registry)
    registry.grant("agency-other", "x.read", DISCLOSABLE_FIELDS)
    before = (len(registry.log), registry.reads.calls)
    with pytest.raises(PermissionDenied) as caught:
        await reads.get_citizen(registry.services, INSURER, created.personal_id, "x.read")
    assert caught.value.reason == "PURPOSE_NOT_ALLOWED"
    assert (len(registry.log), registry.reads.calls) == before  # refused before reading: no read, no entry


@pytest.mark.parametrize("purpose", ["", "Not A Purpose", "a." * 60])
async def test_a_malformed_purpose_is_refused_before_anything_is_read(registry, purpose):
    created = await _create(registry)
    before = (len(registry.log), registry.reads.calls)
    with pytest.raises(InvalidArgument) as caught:
        await reads.get_citizen(registry.services, INSURER, created.personal_id, purpose)
    assert caught.value.reason == "PURPOSE_INVALID"
    assert (len(registry.log), registry.reads.calls) == before


async def test_an_unknown_record_is_not_found_and_not_logged(registry):
    registry.grant(INSURER.agency_id, "x.read", NARROW)
    with pytest.raises(NotFound):
        await reads.get_citizen(registry.services, INSURER, record(serial=9).personal_id, "x.read")
    assert registry.log == []


async def test_no_log_no_data(registry):
    """Fail closed: when the access log cannot be written, the read answers UNAVAILABLE, not the record."""
    created = await _create(registry)
    registry.grant(INSURER.agency_id, "x.read", NARROW)
    registry.access_log.available = False
    with pytest.raises(Unavailable):
        await reads.get_citizen(registry.services, INSURER, created.personal_id, "x.read")


async def test_household_and_search_disclose_per_member_and_log_each(registry):
    head = await _create(registry, record(household="HH-7", relation=HouseholdRelation.HEAD))
    child = await _create(
        registry, record("Nguyễn Thị Mai", serial=2, household="HH-7", relation=HouseholdRelation.CHILD)
    )
    registry.grant(INSURER.agency_id, "x.read", NARROW)
    views, token = await reads.list_household(registry.services, INSURER, "HH-7", "x.read", 0, "")
    assert [v.personal_id for v in views] == [head.personal_id, child.personal_id] and token == ""
    assert all(set(v.values) <= set(NARROW) for v in views)
    entries = registry.log[-2:]
    assert [e.action for e in entries] == [AccessAction.HOUSEHOLD] * 2
    assert [registry.services.unseal_personal_id(e) for e in entries] == [head.personal_id, child.personal_id]

    found, _ = await search_citizens(
        registry.services, INSURER, "NGUYỄN  VĂN AN", head.date_of_birth, "01", "x.read", 0, ""
    )
    assert [v.personal_id for v in found] == [head.personal_id] and set(found[0].values) <= set(NARROW)
    assert registry.log[-1].action is AccessAction.SEARCH


async def test_history_discloses_each_version_through_the_policy(registry):
    created = await _create(registry)
    moved = dataclasses.replace(
        created, current_address=dataclasses.replace(created.current_address, ward_code="00008")
    )
    await citizens.update_citizen(
        registry.uow,
        registry.services,
        REGISTRAR,
        created.personal_id,
        1,
        moved,
        ["current_address"],
        "Move 9/QĐ",
    )
    registry.grant(INSURER.agency_id, "x.read", ("full_name",))
    versions, token = await reads.citizen_history(
        registry.services, INSURER, created.personal_id, "x.read", 1, ""
    )
    assert [meta.version for _, meta in versions] == [2] and token
    assert set(versions[0][0].values) == {"full_name"}
    rest, last = await reads.citizen_history(
        registry.services, INSURER, created.personal_id, "x.read", 1, token
    )
    assert [meta.version for _, meta in rest] == [1] and last == ""
    assert [e.action for e in registry.log[-2:]] == [AccessAction.HISTORY] * 2


def test_a_writer_gets_back_only_what_it_wrote():
    view = written(record().with_version(3, NOW), ["current_address"])
    assert set(view.values) == {"current_address"} and view.version == 3
