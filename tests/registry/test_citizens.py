"""Create, read, update and history of citizen records on PostgreSQL."""

import asyncio
import datetime as dt
import unicodedata

import grpc
import pytest
from google.protobuf import field_mask_pb2

from lienthong.registry.v1 import events_pb2
from lienthong.registry.v1 import registry_pb2 as pb
from lienthong_runtime.events import connect_bus

from .factories import HANOI, citizen, date, reason

pytestmark = pytest.mark.postgres


async def test_create_get_update_history(registry):
    await registry.policy("agency-registrar", "civil_status.registration", ["full_name", "current_address"])
    created = await registry.create(citizen(name=unicodedata.normalize("NFD", "  Trần   Thị Bích "), sex=2))
    assert created.version == 1 and created.full_name == unicodedata.normalize("NFC", "Trần Thị Bích")
    pid = created.personal_id
    with pytest.raises(grpc.aio.AioRpcError) as exists:
        await registry.create(citizen(pid=pid, sex=2))
    assert exists.value.code() == grpc.StatusCode.ALREADY_EXISTS and reason(exists.value) == "CITIZEN_EXISTS"

    changes = pb.Citizen(
        current_address=pb.Address(province_code=HANOI, ward_code="00008", detail="1 Ngọc Hà")
    )
    updated = (
        await registry.stub.UpdateCitizen(
            pb.UpdateCitizenRequest(
                personal_id=pid,
                expected_version=1,
                citizen=changes,
                update_mask=field_mask_pb2.FieldMask(paths=["current_address"]),
                legal_reason="Residence 45/CT",
            ),
            metadata=registry.md(),
        )
    ).citizen
    assert updated.version == 2 and updated.current_address.ward_code == "00008"
    assert updated.full_name == ""  # a writer gets back what it wrote, nothing else (issue #12, finding 1)

    view = (
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=pid, purpose="civil_status.registration"), metadata=registry.md()
        )
    ).citizen
    assert view.version == 2 and list(view.disclosed_fields) == ["full_name", "current_address"]
    history = await registry.stub.GetCitizenHistory(
        pb.GetCitizenHistoryRequest(personal_id=pid, purpose="civil_status.registration", page_size=1),
        metadata=registry.md(),
    )
    assert [v.version for v in history.versions] == [2]
    assert history.versions[0].changed_fields == ["current_address"]
    assert history.versions[0].legal_reason == "Residence 45/CT"
    rest = await registry.stub.GetCitizenHistory(
        pb.GetCitizenHistoryRequest(
            personal_id=pid, purpose="civil_status.registration", page_token=history.next_page_token
        ),
        metadata=registry.md(),
    )
    assert [v.version for v in rest.versions] == [1] and rest.next_page_token == ""
    assert rest.versions[0].snapshot.current_address.ward_code == "00004"


async def test_two_updates_from_the_same_version_exactly_one_wins(registry):
    pid = (await registry.create(citizen())).personal_id

    async def move(ward: str):
        request = pb.UpdateCitizenRequest(
            personal_id=pid,
            expected_version=1,
            legal_reason=f"Residence {ward}",
            citizen=pb.Citizen(current_address=pb.Address(province_code=HANOI, ward_code=ward)),
            update_mask=field_mask_pb2.FieldMask(paths=["current_address"]),
        )
        return await registry.stub.UpdateCitizen(request, metadata=registry.md())

    results = await asyncio.gather(move("00008"), move("00070"), return_exceptions=True)
    wins = [r for r in results if isinstance(r, pb.UpdateCitizenResponse)]
    losses = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(wins) == 1 and len(losses) == 1
    assert losses[0].code() == grpc.StatusCode.ABORTED and reason(losses[0]) == "VERSION_MISMATCH"
    await registry.policy("agency-registrar", "audit.history", ["current_address"])
    history = await registry.stub.GetCitizenHistory(
        pb.GetCitizenHistoryRequest(personal_id=pid, purpose="audit.history"), metadata=registry.md()
    )
    assert [v.version for v in history.versions] == [2, 1]
    assert history.versions[0].snapshot.current_address.ward_code == wins[0].citizen.current_address.ward_code


async def test_changes_are_published_unsealed_through_the_outbox(registry):
    received = []

    async def handler(event):
        message = (
            events_pb2.CitizenChanged() if event.type.endswith("Changed") else events_pb2.CitizenCreated()
        )
        event.payload.Unpack(message)
        received.append((event.type, event.subject, message))

    bus = connect_bus(registry.settings.bus_url)
    await bus.subscribe("test-consumer", [], handler)
    pid = (await registry.create(citizen())).personal_id
    await registry.stub.UpdateCitizen(
        pb.UpdateCitizenRequest(
            personal_id=pid,
            expected_version=1,
            legal_reason="Death certificate 9/TT",
            citizen=pb.Citizen(life_status=pb.LIFE_STATUS_DECEASED, date_of_death=date(dt.date(2024, 1, 2))),
            update_mask=field_mask_pb2.FieldMask(paths=["life_status", "date_of_death"]),
        ),
        metadata=registry.md(),
    )
    for _ in range(100):
        if len(received) >= 2:
            break
        await asyncio.sleep(0.05)
    assert [r[0] for r in received] == [
        "lienthong.registry.v1.CitizenCreated",
        "lienthong.registry.v1.CitizenChanged",
    ]
    assert received[0][1] == pid and received[0][2].version == 1
    assert list(received[1][2].changed_fields) == ["life_status", "date_of_death"]
