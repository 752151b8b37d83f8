"""Writes: CreateCitizen's idempotency, forward-only versions of UpdateCitizen, and a write committed together with
its event and its WRITE entry or not at all."""

from __future__ import annotations

import dataclasses

import pytest

from lienthong.registry.v1 import events_pb2
from lienthong_registry.domain.access_log import AccessAction
from lienthong_registry.handlers import citizens
from lienthong_registry.handlers.audit import verify_chain
from lienthong_runtime.errors import Aborted, AlreadyExists, InvalidArgument, NotFound, Unavailable

from .conftest import REASON, REGISTRAR, Caller, record


async def _create(registry, citizen=None, key="", caller=REGISTRAR, reason=REASON):
    return await citizens.create_citizen(
        registry.uow, registry.services, caller, citizen or record(), reason, key
    )


async def _move(registry, pid, expected, ward="00008", caller=REGISTRAR):
    current = registry.uow.records[pid]
    changed = dataclasses.replace(
        current, current_address=dataclasses.replace(current.current_address, ward_code=ward)
    )
    return await citizens.update_citizen(
        registry.uow, registry.services, caller, pid, expected, changed, ["current_address"], "Move 9/QĐ"
    )


async def test_a_create_commits_the_record_its_event_and_its_write_entry(registry):
    created = await _create(registry)
    assert created.version == 1 and registry.uow.records[created.personal_id] == created
    (event,) = registry.uow.outbox
    payload = events_pb2.CitizenCreated()
    event.payload.Unpack(payload)
    assert (payload.personal_id, payload.version, event.source) == (created.personal_id, 1, "registry")
    (entry,) = registry.log
    assert entry.action is AccessAction.WRITE and list(entry.fields) == created.set_fields()
    assert registry.reads.wrote_by == [REGISTRAR.key]  # the writer's next reads must see it
    assert (await verify_chain(registry.uow)).intact


async def test_a_retry_with_the_same_key_returns_the_first_record_and_writes_nothing(registry):
    first = await _create(registry, key="req-1")
    await _move(registry, first.personal_id, 1)
    writes = (len(registry.log), len(registry.uow.outbox))
    again = await _create(registry, key="req-1")
    assert again == first and again.version == 1  # as first created, even after the record moved on
    assert (len(registry.log), len(registry.uow.outbox)) == writes


async def test_the_same_key_for_another_request_is_refused(registry):
    await _create(registry, key="req-1")
    with pytest.raises(AlreadyExists) as caught:
        await _create(registry, record("Trần Thị Cúc", serial=2), key="req-1")
    assert caught.value.reason == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(AlreadyExists) as caught:  # same record, another legal reason: another request
        await _create(registry, key="req-1", reason="Another reason")
    assert caught.value.reason == "IDEMPOTENCY_KEY_REUSED"


async def test_keys_are_per_agency_and_a_registered_id_is_taken(registry):
    await _create(registry, key="req-1")
    with pytest.raises(AlreadyExists) as caught:
        await _create(registry, key="req-1", caller=Caller("agency-other", "c"))
    assert caught.value.reason == "CITIZEN_EXISTS"
    with pytest.raises(AlreadyExists) as caught:
        await _create(registry)
    assert caught.value.reason == "CITIZEN_EXISTS"
    assert len(registry.uow.keys) == 1  # the refused creates left no key behind


@pytest.mark.parametrize("key", ["x" * 256, "tab\there"])
async def test_a_malformed_key_is_refused(registry, key):
    with pytest.raises(InvalidArgument):
        await _create(registry, key=key)
    assert registry.uow.records == {}


async def test_a_write_whose_entry_cannot_be_written_leaves_nothing(registry):
    registry.uow.fail_write_entries = True
    with pytest.raises(Unavailable):
        await _create(registry, key="req-1")
    assert (registry.uow.records, registry.uow.keys, registry.uow.outbox, registry.log) == ({}, {}, [], [])
    registry.uow.fail_write_entries = False
    assert (await _create(registry, key="req-1")).version == 1  # the retry creates it


async def test_updates_move_forward_one_version_at_a_time(registry):
    created = await _create(registry)
    updated = await _move(registry, created.personal_id, 1)
    assert updated.version == 2 and updated.current_address.ward_code == "00008"
    with pytest.raises(Aborted) as caught:
        await _move(registry, created.personal_id, 1, ward="00010")
    assert caught.value.reason == "VERSION_MISMATCH"
    assert caught.value.metadata == {"current_version": "2", "expected_version": "1"}
    assert registry.uow.records[created.personal_id].version == 2
    payload = events_pb2.CitizenChanged()
    registry.uow.outbox[-1].payload.Unpack(payload)
    assert (payload.version, list(payload.changed_fields)) == (2, ["current_address"])
    assert [e.action for e in registry.log] == [AccessAction.WRITE, AccessAction.WRITE]
    assert list(registry.log[-1].fields) == ["current_address"]


async def test_an_update_that_changes_nothing_or_names_bad_fields_is_refused(registry):
    created = await _create(registry)
    with pytest.raises(InvalidArgument) as caught:
        await _move(registry, created.personal_id, 1, ward=created.current_address.ward_code)
    assert caught.value.reason == "NO_CHANGE"
    with pytest.raises(InvalidArgument) as caught:
        await citizens.update_citizen(
            registry.uow, registry.services, REGISTRAR, created.personal_id, 1, created, ["salary"], "r"
        )
    assert caught.value.reason == "UPDATE_MASK_INVALID"
    with pytest.raises(InvalidArgument):
        await citizens.update_citizen(
            registry.uow, registry.services, REGISTRAR, created.personal_id, 0, created, ["full_name"], "r"
        )
    with pytest.raises(NotFound):
        await citizens.update_citizen(
            registry.uow,
            registry.services,
            REGISTRAR,
            record(serial=7).personal_id,
            1,
            created,
            ["full_name"],
            "r",
        )
    assert registry.uow.records[created.personal_id].version == 1 and len(registry.log) == 1


async def test_a_record_that_fails_validation_is_refused_with_its_field(registry):
    with pytest.raises(InvalidArgument) as caught:
        await _create(registry, dataclasses.replace(record(), full_name="", nationality="Vietnam"))
    assert {v.field for v in caught.value.field_violations} >= {"citizen.full_name", "citizen.nationality"}
    assert registry.uow.records == {} and registry.log == []


async def test_the_chain_check_counts_versions_without_their_write_entry(registry):
    created = await _create(registry)
    await _move(registry, created.personal_id, 1)
    registry.uow.log.pop()  # what a version committed without its entry looks like
    check = await verify_chain(registry.uow)
    assert not check.intact and check.first_broken == 0 and check.missing_writes == 1
