"""One-off sends through the group-committing intake, on the in-memory unit of work: validation, idempotency,
the rate limit (never refusing a retry), the daily cap (test credentials not counted), and each concurrent
caller getting exactly its own answer."""

import asyncio

import pytest

from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.domain.limits import RateLimiter
from lienthong_notify.handlers import templates
from lienthong_notify.handlers.intake import SendIntake
from lienthong_notify.handlers.ports import Caller
from lienthong_notify.handlers.sending import SendCommand
from lienthong_runtime.errors import DomainError

from ..fakes import FakeClock, FakeStore, deps

VALUES = {"name": "An"}


async def setup(**overrides):
    store, clock = FakeStore(), FakeClock()
    d = deps(clock, **overrides)
    made = {}
    for agency in ("agency-a", "agency-b"):
        made[agency] = await templates.create(
            store.units(), Caller(agency), channel=Channel.EMAIL, name="t", subject="S ((name))",
            body="B ((name))", now=clock(),
        )  # fmt: skip
    return store, d, SendIntake(store.units, d), made


def cmd(template_id: str, key: str, to: str = "a@example.vn", **kw) -> SendCommand:
    return SendCommand("agency-a", Channel.EMAIL, template_id, to, VALUES, "", key, **kw)


async def answers(intake: SendIntake, commands: list[SendCommand]) -> list[object]:
    return await asyncio.gather(*(intake.send(c) for c in commands), return_exceptions=True)


def reasons(results: list[object]) -> list[str]:
    return [r.reason if isinstance(r, DomainError) else "OK" for r in results]


async def test_a_retry_gets_the_same_notification_and_a_reused_key_is_refused():
    store, _, intake, made = await setup()
    first = await intake.send(cmd(made["agency-a"].id, "k1", "An.Nguyen@Example.VN"))
    again = await intake.send(cmd(made["agency-a"].id, "k1", "An.Nguyen@Example.VN"))
    assert again.id == first.id and first.recipient == "an.nguyen@example.vn"
    assert (first.subject, first.body, first.status) == ("S An", "B An", Status.CREATED)
    with pytest.raises(DomainError) as reused:
        await intake.send(cmd(made["agency-a"].id, "k1", "other@example.vn"))
    assert reused.value.reason == "IDEMPOTENCY_KEY_REUSED"
    assert len(store.state["notification_rows"]) == 1 and len(store.state["queue_rows"]) == 1


async def test_concurrent_sends_share_a_transaction_but_not_their_answers():
    store, _, intake, made = await setup(daily_caps={"email": 12, "sms": 10})
    t, other = made["agency-a"].id, made["agency-b"].id
    commands = [
        cmd(t, "same"),
        cmd(t, "same"),
        cmd(t, "same", "changed@example.vn"),
        cmd(t, "bad", "not-an-address"),
        cmd(other, "foreign"),
        cmd(t, "test", test=True),
        *(cmd(t, f"k{i}", f"u{i}@example.vn") for i in range(15)),
    ]
    results = await answers(intake, commands)
    assert reasons(results)[:6] == [
        "OK",
        "OK",
        "IDEMPOTENCY_KEY_REUSED",
        "INVALID_RECIPIENT",
        "TEMPLATE_NOT_FOUND",
        "OK",
    ]
    assert results[0].id == results[1].id and results[5].test
    # 12 live e-mails fit in the day's cap: "same" and the first 11 others, in arrival order; test sends are free
    assert reasons(results)[6:] == ["OK"] * 11 + ["DAILY_CAP_REACHED"] * 4
    assert (await intake.send(cmd(t, "k0", "u0@example.vn"))).id == results[6].id  # a retry still answers
    assert len(store.state["notification_rows"]) == 13 == len(store.state["queue_rows"])  # refused: discarded


async def test_the_rate_limit_applies_after_the_idempotency_check():
    _, _, intake, made = await setup(limiter=RateLimiter(rate=0.001, burst=2))
    t = made["agency-a"].id
    first = await intake.send(cmd(t, "1"))
    await intake.send(cmd(t, "2"))
    with pytest.raises(DomainError) as limited:
        await intake.send(cmd(t, "3"))
    assert limited.value.reason == "RATE_LIMITED" and limited.value.retry_after
    assert (await intake.send(cmd(t, "1"))).id == first.id  # a retry is never refused by the limit


async def test_validation_names_the_field_and_channel_and_test_mode_rules_hold():
    _, _, intake, made = await setup()
    t = made["agency-a"].id
    cases = [
        (cmd(t, "k", "not-an-address"), "INVALID_RECIPIENT"),
        (SendCommand("agency-a", Channel.SMS, t, "0912345678", VALUES, "", "k"), "TEMPLATE_CHANNEL_MISMATCH"),
        (cmd(t, "k", simulated_outcome="DELIVERED"), "SIMULATION_REQUIRES_TEST_MODE"),
        (SendCommand("agency-a", Channel.EMAIL, t, "a@example.vn", {}, "", "k"), "PERSONALISATION_MISMATCH"),
    ]
    for command, reason in cases:
        with pytest.raises(DomainError) as refused:
            await intake.send(command)
        assert refused.value.reason == reason
    with pytest.raises(DomainError) as bad:
        await intake.send(cmd(t, "k", "nope"))
    assert bad.value.field_violations[0].field == "email_address"


async def test_a_failing_store_answers_every_caller_of_the_group_and_keeps_nothing():
    store, d, _, made = await setup()

    class Broken(Exception):
        pass

    def units():
        uow = store.units()

        async def explode(items):
            raise Broken

        uow.notifications.enqueue = explode
        return uow

    intake = SendIntake(units, d)
    results = await answers(intake, [cmd(made["agency-a"].id, f"k{i}", f"u{i}@example.vn") for i in range(3)])
    assert all(isinstance(r, Broken) for r in results)
    assert store.state["notification_rows"] == {}  # rolled back
