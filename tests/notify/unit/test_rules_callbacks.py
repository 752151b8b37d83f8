"""Delivery-status callbacks on the in-memory unit of work: the URL guard, secrets generated once and rotated on
request, the status filter, signed POSTs retried with backoff and dropped after the last attempt."""

import json

import pytest

from lienthong_notify.domain.callbacks import signature, verify_signature
from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.handlers import callbacks, notifications, templates
from lienthong_notify.handlers.callback_delivery import CallbackSchedule, deliver_due
from lienthong_notify.handlers.intake import SendIntake
from lienthong_notify.handlers.ports import Caller
from lienthong_notify.handlers.sending import SendCommand
from lienthong_runtime.errors import DomainError

from ..fakes import FakeCallbackUrls, FakeClock, FakePoster, FakeStore, deps

A = Caller("agency-a")
URL = "https://hooks.agency-a.example.vn/notify"


async def set_hook(store, d, url=URL, statuses=(), rotate=False):
    return await callbacks.set_callback(store.units(), d, A, url=url, statuses=statuses, rotate_secret=rotate)


async def test_callback_urls_must_be_https_and_resolve_to_public_addresses():
    store = FakeStore()
    d = deps(callback_urls=FakeCallbackUrls({"intranet.example.vn": "10.0.0.7"}))
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://intranet.example.vn/hook"):
        with pytest.raises(DomainError) as refused:
            await set_hook(store, d, url)
        assert refused.value.field_violations[0].field == "url"
    assert store.state["callback_configs"] == {}


async def test_the_secret_is_shown_once_and_rotated_only_on_request():
    store, d = FakeStore(), deps()
    made, secret = await set_hook(store, d)
    assert secret and made.secret == secret
    kept, shown = await set_hook(store, d, statuses=[Status.PERMANENT_FAILURE])
    assert shown == "" and kept.secret == secret and kept.statuses == {Status.PERMANENT_FAILURE}
    rotated, fresh = await set_hook(store, d, rotate=True)
    assert fresh and fresh != secret and rotated.secret == fresh
    await callbacks.delete_callback(store.units(), A)
    await callbacks.delete_callback(store.units(), A)  # deleting nothing is fine
    with pytest.raises(DomainError) as gone:
        await callbacks.get_callback(store.units(), A)
    assert gone.value.reason == "CALLBACK_NOT_FOUND"


async def finished(store, d, outcomes):
    """Send one test notification per simulated outcome and apply its final status."""
    t = await templates.create(
        store.units(), A, channel=Channel.EMAIL, name="t", subject="S", body="B", now=d.clock()
    )
    intake, ids = SendIntake(store.units, d), []
    for key, outcome in outcomes:
        n = await intake.send(SendCommand("agency-a", Channel.EMAIL, t.id, "a@example.vn", {}, "", key, True))
        await notifications.apply_receipt(store.units(), d, notification_id=n.id, status=outcome)
        ids.append(n.id)
    return ids


async def test_only_the_statuses_asked_for_are_called_back_signed():
    store, clock = FakeStore(), FakeClock()
    d = deps(clock)
    _, secret = await set_hook(store, d, statuses=[Status.PERMANENT_FAILURE])
    _, bad = await finished(store, d, [("ok", Status.DELIVERED), ("bad", Status.PERMANENT_FAILURE)])
    poster = FakePoster()
    assert await deliver_due(store.units, d, poster, CallbackSchedule()) == 1
    [(url, used_secret, body)] = poster.posts
    payload = json.loads(body)
    assert (url, used_secret) == (URL, secret)
    assert payload["id"] == bad and payload["status"] == "NOTIFICATION_STATUS_PERMANENT_FAILURE"
    assert payload["test"] is True and "a@example.vn" not in body.decode()  # no message content
    assert store.state["callback_rows"] == {}
    header = signature(secret, 1_700_000_000, body)
    assert verify_signature([secret], header, body, 1_700_000_100)
    assert not verify_signature(["other"], header, body, 1_700_000_100)
    assert not verify_signature([secret], header, body, 1_700_000_301)  # outside the 5 minutes
    assert not verify_signature([secret], header, body + b" ", 1_700_000_000)


async def test_failed_posts_are_retried_with_backoff_then_dropped():
    store, clock = FakeStore(), FakeClock()
    d = deps(clock)
    await set_hook(store, d)
    await finished(store, d, [("ok", Status.DELIVERED)])
    schedule = CallbackSchedule(max_attempts=3)
    poster = FakePoster([False])
    assert await deliver_due(store.units, d, poster, schedule) == 1
    [(due, at)] = store.state["callback_rows"].values()
    assert due.attempts == 1 and at > clock.now
    assert await deliver_due(store.units, d, poster, schedule) == 0  # not due yet
    for _ in range(4):
        clock.advance(3600)
        await deliver_due(store.units, d, poster, schedule)
    assert len(poster.posts) == 3 and store.state["callback_rows"] == {}  # dropped after the third


async def test_a_removed_callback_is_not_posted():
    store, d = FakeStore(), deps()
    await set_hook(store, d)
    await finished(store, d, [("ok", Status.DELIVERED)])
    await callbacks.delete_callback(store.units(), A)
    poster = FakePoster()
    assert await deliver_due(store.units, d, poster, CallbackSchedule()) == 1
    assert poster.posts == [] and store.state["callback_rows"] == {}
