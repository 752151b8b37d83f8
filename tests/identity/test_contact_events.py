"""Registration publishes the citizen's contact (CitizenContactChanged) for notify; identity's outbox keeps no
copy of that personal data once the event is published."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from lienthong.identity.v1 import events_pb2
from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_identity.adapters.tables import outbox
from lienthong_runtime.events import connect_bus, payload_of

from .test_citizens import PASSWORD, new_pid

CONTACT_CHANGED = events_pb2.CitizenContactChanged.DESCRIPTOR.full_name


async def _outbox_rows_with(identity, needle: bytes) -> int:
    async with identity.ctx.sessions() as session:
        rows = (await session.execute(select(outbox.c.envelope))).scalars().all()
    return sum(needle in row for row in rows)


async def test_registration_publishes_the_contact_and_deletes_the_outbox_row(identity):
    seen: list = []

    async def handler(envelope) -> None:
        seen.append(envelope)

    await connect_bus(identity.ctx.settings.bus_url).subscribe("test-notify", [CONTACT_CHANGED], handler)
    pid = new_pid()
    registered = await identity.stub.RegisterCitizen(
        pb.RegisterCitizenRequest(
            personal_id=pid, password=PASSWORD, email="Dan@Example.vn", phone_number="0912345678"
        )
    )
    for _ in range(100):  # bounded wait for the relay
        if seen and await _outbox_rows_with(identity, pid.encode()) == 0:
            break
        await asyncio.sleep(0.05)
    assert len(seen) == 1
    event = seen[0]
    contact = payload_of(event, events_pb2.CitizenContactChanged)
    assert (event.subject, event.agency_id) == (registered.account_id, "")
    assert (contact.account_id, contact.personal_id) == (registered.account_id, pid)
    assert (contact.email, contact.phone_number) == ("Dan@example.vn", "+84912345678")
    assert contact.change_time.seconds > 0
    assert await _outbox_rows_with(identity, pid.encode()) == 0  # published rows are deleted, not kept


async def test_registration_without_contact_publishes_nothing(identity):
    seen: list = []

    async def handler(envelope) -> None:
        seen.append(payload_of(envelope, events_pb2.CitizenContactChanged).personal_id)

    await connect_bus(identity.ctx.settings.bus_url).subscribe("test-notify", [CONTACT_CHANGED], handler)
    silent, sentinel = new_pid(), new_pid()
    await identity.stub.RegisterCitizen(pb.RegisterCitizenRequest(personal_id=silent, password=PASSWORD))
    await identity.stub.RegisterCitizen(
        pb.RegisterCitizenRequest(personal_id=sentinel, password=PASSWORD, email="a@example.vn")
    )
    for _ in range(
        100
    ):  # the relay publishes in commit order: once the sentinel is seen, so would be the first
        if sentinel in seen:
            break
        await asyncio.sleep(0.05)
    assert seen == [sentinel]
