"""Template rules through the handlers, on the in-memory unit of work: validation, versions, isolation, the
idempotent create, rendering and previews."""

import pytest

from lienthong_notify.domain.channels import Channel
from lienthong_notify.handlers import templates
from lienthong_notify.handlers.ports import Caller
from lienthong_runtime.errors import DomainError

from ..fakes import FakeClock, FakeStore

A, B = Caller("agency-a"), Caller("agency-b")
NOW = FakeClock().now


async def create(store: FakeStore, caller: Caller = A, name: str = "welcome", **kw) -> object:
    values = {"channel": Channel.EMAIL, "subject": "Chào ((name))", "body": "Mã ((code))", **kw}
    return await templates.create(store.units(), caller, name=name, now=NOW, **values)


async def test_an_invalid_template_is_refused_with_every_problem_and_nothing_stored():
    store = FakeStore()
    with pytest.raises(DomainError) as refused:
        await templates.create(
            store.units(), A, channel=Channel.SMS, name="", subject="not for sms", body=" ", now=NOW
        )
    assert refused.value.reason == "INVALID_TEMPLATE"
    assert {v.field for v in refused.value.field_violations} == {"name", "subject", "body"}
    assert store.state["template_versions"] == {}


async def test_a_retried_create_returns_the_same_template_and_another_body_is_name_taken():
    store = FakeStore()
    first = await create(store)
    assert await create(store) == first  # same content: the caller's own create, retried
    with pytest.raises(DomainError) as taken:
        await create(store, body="another body")
    assert taken.value.reason == "TEMPLATE_NAME_TAKEN"
    assert (await create(store, caller=B)).id != first.id  # names are per agency


async def test_updates_need_the_latest_version_and_keep_old_versions_readable():
    store = FakeStore()
    t = await create(store)
    common = {
        "template_id": t.id,
        "name": "welcome",
        "subject": "Hi ((name))",
        "body": "New ((code))",
        "now": NOW,
    }
    v2 = await templates.update(store.units(), A, expected_version=1, **common)
    assert v2.version == 2 and v2.placeholders == ("code", "name")
    with pytest.raises(DomainError) as stale:
        await templates.update(store.units(), A, expected_version=1, **common)
    assert stale.value.reason == "VERSION_MISMATCH"
    assert (await templates.get(store.units(), A, template_id=t.id, version=1)).body == "Mã ((code))"
    with pytest.raises(DomainError) as other:
        await templates.update(store.units(), B, expected_version=2, **common)
    assert other.value.reason == "TEMPLATE_NOT_FOUND"


async def test_another_agency_sees_nothing_of_a_template():
    store = FakeStore()
    t = await create(store)
    for call in (
        templates.get(store.units(), B, template_id=t.id),
        templates.preview(store.units(), B, template_id=t.id, version=0, values={"name": "x", "code": "1"}),
    ):
        with pytest.raises(DomainError) as refused:
            await call
        assert refused.value.reason == "TEMPLATE_NOT_FOUND"
    assert await templates.list_page(store.units(), B, channel=None, after=None, limit=10) == []


async def test_preview_renders_conditionals_and_names_each_personalisation_mismatch():
    store = FakeStore()
    t = await create(store, body="Xin chào ((name))((vip??, khách quý))")
    subject, body, sms = await templates.preview(
        store.units(), A, template_id=t.id, version=0, values={"name": "An", "vip": "yes"}
    )
    assert (subject, body, sms) == ("Chào An", "Xin chào An, khách quý", None)
    with pytest.raises(DomainError) as mismatch:
        await templates.preview(store.units(), A, template_id=t.id, version=0, values={"extra": "1"})
    assert mismatch.value.reason == "PERSONALISATION_MISMATCH"
    assert [v.field for v in mismatch.value.field_violations] == [
        "personalisation.name",
        "personalisation.vip",
        "personalisation.extra",
    ]


async def test_sms_templates_are_counted_in_segments_and_listed_by_name():
    store = FakeStore()
    sms = await create(store, name="b-otp", channel=Channel.SMS, subject="", body="Mã OTP: ((code))")
    await create(store, name="a-mail")
    _, _, segments = await templates.preview(
        store.units(), A, template_id=sms.id, version=0, values={"code": "1"}
    )
    assert segments is not None and segments.segment_count == 1
    listed = await templates.list_page(store.units(), A, channel=None, after=None, limit=10)
    assert [t.name for t in listed] == ["a-mail", "b-otp"]
    after = await templates.list_page(
        store.units(), A, channel=None, after=(listed[0].name, listed[0].id), limit=10
    )
    assert [t.name for t in after] == ["b-otp"]
