"""The durable queue: leases, expiry after a crash, and SQLite as well as PostgreSQL."""

from datetime import UTC, datetime, timedelta

from lienthong_notify.adapters.notification_store import SqlNotificationRepository
from lienthong_notify.adapters.queue import SqlDeliveryQueue
from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.domain.notifications import ONE_OFF, NewNotification, Notification
from lienthong_runtime.db import create_engine
from lienthong_runtime.ids import new_id

from .support import migrate, personal


def notification(created: datetime, agency: str = "agency-a") -> Notification:
    return Notification(
        id=new_id(),
        agency_id=agency,
        channel=Channel.EMAIL,
        template_id="t",
        template_version=1,
        recipient="a@example.vn",
        reference="",
        status=Status.CREATED,
        subject="s",
        body="b",
        sms=None,
        batch_id="",
        test=False,
        simulated_outcome="",
        attempt_count=0,
        failure_reason="",
        create_time=created,
        send_time=None,
        complete_time=None,
    )


async def test_a_lease_hides_entries_until_it_expires(db_url):
    await migrate(db_url)
    engine = create_engine(db_url)
    sessions = engine.connect
    now = datetime.now(UTC)
    items = [notification(now) for _ in range(3)]
    async with sessions() as session, session.begin():
        await SqlNotificationRepository(session, personal()).add(
            [NewNotification(n, None, "", ONE_OFF, now + timedelta(hours=1)) for n in items]
        )
    async with sessions() as session, session.begin():
        claimed = await SqlDeliveryQueue(session, personal()).claim(10, 30, now)
    assert sorted(c.notification.id for c in claimed) == sorted(n.id for n in items)
    async with sessions() as session, session.begin():
        assert await SqlDeliveryQueue(session, personal()).claim(10, 30, now + timedelta(seconds=29)) == []
    async with sessions() as session, session.begin():  # the claimer died: its lease ran out
        queue = SqlDeliveryQueue(session, personal())
        again = await queue.claim(10, 30, now + timedelta(seconds=31))
        await queue.done([again[0].notification.id])
    assert len(again) == 3
    async with sessions() as session:
        assert await SqlDeliveryQueue(session, personal()).pending() == 2
    await engine.dispose()
