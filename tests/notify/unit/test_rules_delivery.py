"""The delivery worker and receipts on the in-memory unit of work, with fake providers: outcomes, retries until
the give-up time, simulated outcomes of test credentials, forward-only statuses, the events of final statuses."""

from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.domain.notifications import BULK, ONE_OFF, Outcome, RetryPolicy
from lienthong_notify.handlers import notifications, templates
from lienthong_notify.handlers.delivery import DeliveryWorker
from lienthong_notify.handlers.intake import SendIntake
from lienthong_notify.handlers.ports import Caller
from lienthong_notify.handlers.sending import SendCommand

from ..fakes import FakeClock, FakeProvider, FakeStore, deps

A = Caller("agency-a")


async def sent(store, d, channel=Channel.EMAIL, to="a@example.vn", key="k", test=False, simulated=""):
    body = "Mã ((code))"
    found = await store.units().templates.find_by_name("agency-a", channel, "t")
    if found is None:
        found = await templates.create(
            store.units(), A, channel=channel, name="t", subject="S" if channel is Channel.EMAIL else "", body=body,
            now=d.clock(),
        )  # fmt: skip
    command = SendCommand("agency-a", channel, found.id, to, {"code": "1"}, "", key, test, simulated)
    return await SendIntake(store.units, d).send(command)


def worker(store, d, email=None, sms=None) -> DeliveryWorker:
    providers = {Channel.EMAIL: email or FakeProvider(), Channel.SMS: sms or FakeProvider()}
    return DeliveryWorker(store.units, d, providers, batch_size=10, lease_s=30)


async def status(store, nid):
    return (await store.units().notifications.get("agency-a", nid)).status


async def test_a_delivered_message_is_final_published_and_off_the_queue():
    store, clock = FakeStore(), FakeClock()
    d = deps(clock)
    n = await sent(store, d)
    email = FakeProvider()
    assert await worker(store, d, email).run_once() == 1
    got = await store.units().notifications.get("agency-a", n.id)
    assert (got.status, got.attempt_count, got.send_time, got.complete_time) == (
        Status.DELIVERED, 1, clock.now, clock.now,
    )  # fmt: skip
    assert [x.id for x in email.sent] == [n.id] and store.state["queue_rows"] == {}
    [event] = store.events("NotificationDelivered")
    assert event.subject == n.id and event.agency_id == "agency-a"


async def test_unavailable_providers_are_retried_until_the_give_up_time():
    store, clock = FakeStore(), FakeClock()
    d = deps(clock, retry=RetryPolicy(base_s=1.0, max_s=4.0, give_up_s=60.0))
    busy = await sent(store, d, key="busy")
    down = FakeProvider([Outcome(None, reason="SMTP_UNAVAILABLE")])
    w = worker(store, d, down)
    assert await w.run_once() == 1
    assert await status(store, busy.id) is Status.SENDING
    assert await w.run_once() == 0  # not due again yet
    for _ in range(40):
        clock.advance(5)
        await w.run_once()
    got = await store.units().notifications.get("agency-a", busy.id)
    assert (got.status, got.failure_reason) == (Status.TECHNICAL_FAILURE, "SMTP_UNAVAILABLE")
    assert got.attempt_count >= 3 and store.state["queue_rows"] == {}
    assert [e.type.rsplit(".", 1)[1] for e in store.outbox] == ["NotificationFailed"]


async def test_a_recipient_unavailable_until_the_end_is_a_temporary_failure():
    store, clock = FakeStore(), FakeClock()
    d = deps(clock, retry=RetryPolicy(base_s=1.0, max_s=2.0, give_up_s=5.0))
    n = await sent(store, d)
    w = worker(store, d, FakeProvider([Outcome(None, reason="MAILBOX_FULL", recipient_unavailable=True)]))
    for _ in range(6):
        await w.run_once()
        clock.advance(3)
    assert await status(store, n.id) is Status.TEMPORARY_FAILURE


async def test_test_credentials_never_reach_a_provider():
    store, d = FakeStore(), deps()
    n = await sent(store, d, test=True, simulated="PERMANENT_FAILURE")
    email = FakeProvider()
    await worker(store, d, email).run_once()
    got = await store.units().notifications.get("agency-a", n.id)
    assert (got.status, got.failure_reason, email.sent) == (
        Status.PERMANENT_FAILURE, "SIMULATED_PERMANENT_FAILURE", [],
    )  # fmt: skip


async def test_sms_receipts_move_forward_only_and_silence_becomes_no_receipt():
    store, clock = FakeStore(), FakeClock()
    d = deps(clock, sms_receipt_timeout_s=3600.0)
    sms = FakeProvider([Outcome(Status.SENDING, provider="p1", provider_reference="ref-1")])
    first = await sent(store, d, Channel.SMS, "0912345678", "s1")
    silent = await sent(store, d, Channel.SMS, "0912345679", "s2")
    await worker(store, d, sms=sms).run_once()
    assert await status(store, first.id) is Status.SENDING and store.state["queue_rows"] == {}

    async def receipt(nid, s):
        return await notifications.apply_receipt(store.units(), d, notification_id=nid, status=s)

    assert await receipt(first.id, Status.DELIVERED)
    assert not await receipt(first.id, Status.TEMPORARY_FAILURE)  # late or out of order: nothing moves
    assert not await receipt(first.id, Status.DELIVERED)  # duplicate
    assert await status(store, first.id) is Status.DELIVERED
    clock.advance(3601)
    assert await notifications.expire_unconfirmed(store.units(), d) == 1
    got = await store.units().notifications.get("agency-a", silent.id)
    assert (got.status, got.failure_reason) == (Status.TEMPORARY_FAILURE, "NO_RECEIPT")
    assert not await receipt(silent.id, Status.DELIVERED)  # too late


async def test_one_off_messages_are_claimed_before_earlier_bulk():
    store, clock = FakeStore(), FakeClock()
    d = deps(clock)
    for i in range(3):
        n = await sent(store, d, to=f"bulk{i}@example.vn", key=f"b{i}")
        store.state["queue_rows"][n.id]["priority"] = BULK
    clock.advance(10)
    one_off = await sent(store, d, to="urgent@example.vn", key="now")
    assert store.state["queue_rows"][one_off.id]["priority"] == ONE_OFF
    claimed = await store.units().deliveries.claim(1, 30, clock())
    assert [c.notification.id for c in claimed] == [one_off.id]
