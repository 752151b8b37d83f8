"""ListMyNotifications: a citizen reads the messages sent to the contact identity published for them, from every
agency, and nobody else's; machine tokens are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong_notify.adapters.tables import contacts

from .support import email_template, eventually, running_notify
from .test_citizen_changed import contact_event, count

PID, OTHER_PID = "079301123456", "001199000777"


async def _send(run, agency: str, address: str, key: str) -> str:
    template_id = await email_template(run, agency=agency, name=f"t-{key}")
    reply = await run.stub.SendEmail(
        pb.SendEmailRequest(
            template_id=template_id,
            email_address=address,
            personalisation={"name": "An", "code": key},
            idempotency_key=key,
        ),
        metadata=run.auth(agency),
    )
    return reply.notification.id


async def test_a_citizen_lists_what_was_sent_to_their_contact(db_url, unix_socket):
    from lienthong_runtime.db import create_engine
    from lienthong_runtime.events import connect_bus

    # No delivery worker: listing needs the notifications, not their delivery.
    async with running_notify(db_url, unix_socket, worker_enabled=False) as run:
        bus = connect_bus(run.app.settings.bus_url)
        await bus.publish(contact_event(PID, "An.Tran@Example.VN", datetime.now(UTC)))
        await bus.publish(
            contact_event(OTHER_PID, "other@example.vn", datetime.now(UTC), phone="+84987654321")
        )
        engine = create_engine(db_url)
        try:

            async def both_stored() -> bool:
                return await count(engine, contacts) == 2

            await eventually(both_stored)
        finally:
            await engine.dispose()
        mine = [
            await _send(run, "agency-a", "an.tran@example.vn", "k1"),
            await _send(run, "agency-b", "AN.TRAN@example.vn", "k2"),
        ]
        theirs = await _send(run, "agency-a", "other@example.vn", "k3")

        citizen = run.mint.metadata(["citizen.self"], kind="citizen", subject="citizen:1", pid=PID)
        listed = (
            await run.stub.ListMyNotifications(pb.ListMyNotificationsRequest(), metadata=citizen)
        ).notifications
        assert [n.id for n in listed] == sorted(mine, reverse=True)
        assert {n.agency_id for n in listed} == {"agency-a", "agency-b"} and theirs not in {
            n.id for n in listed
        }
        first = await run.stub.ListMyNotifications(
            pb.ListMyNotificationsRequest(page_size=1), metadata=citizen
        )
        assert len(first.notifications) == 1 and first.next_page_token

        stranger = run.mint.metadata(
            ["citizen.self"], kind="citizen", subject="citizen:2", pid="001099000123"
        )
        nothing = await run.stub.ListMyNotifications(pb.ListMyNotificationsRequest(), metadata=stranger)
        assert list(nothing.notifications) == []  # no contact on file: nothing, and no error

        with pytest.raises(grpc.aio.AioRpcError) as machine:
            await run.stub.ListMyNotifications(
                pb.ListMyNotificationsRequest(),
                metadata=run.mint.metadata(["citizen.self"], agency="agency-a"),
            )
        assert machine.value.code() is grpc.StatusCode.PERMISSION_DENIED
