"""Batch sends on the in-memory unit of work: each recipient reported on its own, all-or-nothing on request, the
size limit, idempotency on the key, bulk priority, and limits taken for the accepted recipients only."""

import pytest

from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.domain.limits import RateLimiter
from lienthong_notify.domain.notifications import BULK
from lienthong_notify.handlers import batches, templates
from lienthong_notify.handlers.batches import BatchRecipient, SendBatchCommand
from lienthong_notify.handlers.ports import Caller
from lienthong_runtime.errors import DomainError

from ..fakes import FakeClock, FakeStore, deps

A = Caller("agency-a")
VALUES = {"name": "An", "code": "1"}


async def setup(**overrides):
    store, clock = FakeStore(), FakeClock()
    t = await templates.create(
        store.units(), A, channel=Channel.EMAIL, name="t", subject="S ((name))", body="((code))", now=clock()
    )
    return store, deps(clock, **overrides), t


def command(template_id: str, key: str = "b1", **kw) -> SendBatchCommand:
    recipients = [
        BatchRecipient("a@example.vn", VALUES, "r0"),
        BatchRecipient("broken", {"name": "x"}),
        BatchRecipient("c@example.vn", VALUES),
    ]
    return SendBatchCommand(template_id, recipients, idempotency_key=key, **kw)


async def test_each_recipient_is_reported_and_a_retry_answers_the_same_batch():
    store, d, t = await setup()
    view = await batches.send_batch(store.units, d, A, command(t.id))
    assert (view.row["recipient_count"], view.row["accepted_count"], view.row["rejected_count"]) == (3, 2, 1)
    assert [bool(nid) for _, nid, _ in view.results] == [True, False, True]
    assert [f for f, _ in view.results[1][2]] == ["recipient", "personalisation.code"]
    assert view.counts == {Status.CREATED: 2} and not view.completed
    again = await batches.send_batch(store.units, d, A, command(t.id))
    assert (again.row["id"], again.results) == (view.row["id"], view.results)
    assert {e["priority"] for e in store.state["queue_rows"].values()} == {BULK}
    with pytest.raises(DomainError) as reused:
        await batches.send_batch(store.units, d, A, command(t.id, reference="other"))
    assert reused.value.reason == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(DomainError) as hidden:
        await batches.get_batch(store.units(), Caller("agency-b"), batch_id=view.row["id"])
    assert hidden.value.reason == "BATCH_NOT_FOUND"


async def test_reject_all_on_error_stores_nothing_and_names_every_problem():
    store, d, t = await setup()
    with pytest.raises(DomainError) as refused:
        await batches.send_batch(store.units, d, A, command(t.id, reject_all_on_error=True))
    assert refused.value.reason == "INVALID_RECIPIENTS"
    assert [v.field for v in refused.value.field_violations] == [
        "recipients[1].recipient",
        "recipients[1].personalisation.code",
    ]
    assert store.state["notification_rows"] == {} and store.state["batch_rows"] == {}


async def test_size_limits_and_the_cap_of_the_accepted_recipients():
    store, d, t = await setup(daily_caps={"email": 2, "sms": 1})
    too_many = SendBatchCommand(t.id, [BatchRecipient("a@example.vn", VALUES)] * 1001, idempotency_key="big")
    with pytest.raises(DomainError) as big:
        await batches.send_batch(store.units, d, A, too_many)
    assert big.value.reason == "BATCH_TOO_LARGE"
    with pytest.raises(DomainError):
        await batches.send_batch(store.units, d, A, SendBatchCommand(t.id, [], idempotency_key="none"))
    await batches.send_batch(store.units, d, A, command(t.id))  # 2 accepted: the cap of 2 is used
    with pytest.raises(DomainError) as capped:
        await batches.send_batch(store.units, d, A, command(t.id, key="b2"))
    assert capped.value.reason == "DAILY_CAP_REACHED"
    test = await batches.send_batch(store.units, d, Caller("agency-a", test=True), command(t.id, key="b3"))
    assert test.row["accepted_count"] == 2  # test credentials do not count toward the cap
    assert len(store.state["batch_rows"]) == 2


async def test_a_rate_limited_batch_leaves_nothing_behind():
    store, d, t = await setup(limiter=RateLimiter(rate=0.001, burst=1))
    with pytest.raises(DomainError) as limited:
        await batches.send_batch(store.units, d, A, command(t.id))
    assert limited.value.reason == "RATE_LIMITED"
    assert store.state["notification_rows"] == {} and store.state["batch_rows"] == {}
