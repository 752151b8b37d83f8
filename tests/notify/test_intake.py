"""Group commit of one-off sends: each concurrent caller still gets exactly its own answer."""

import asyncio

import pytest

from lienthong_notify.bootstrap import load_settings
from lienthong_notify.domain.channels import Channel
from lienthong_notify.handlers import templates
from lienthong_notify.handlers.intake import SendIntake
from lienthong_notify.handlers.ports import Caller
from lienthong_notify.handlers.sending import SendCommand
from lienthong_runtime.db import create_engine
from lienthong_runtime.errors import DomainError

from .support import at_rest_keys, handlers_on, migrate

pytestmark = pytest.mark.postgres


async def test_concurrent_sends_share_a_transaction_but_not_their_answers(pg_url):
    await migrate(pg_url)
    engine = create_engine(pg_url)
    units, deps = handlers_on(
        engine, load_settings(database_url=pg_url, daily_cap_email=12, **at_rest_keys())
    )
    intake = SendIntake(units, deps)
    made = {}
    for agency in ("agency-a", "agency-b"):
        made[agency] = await templates.create(
            units(), Caller(agency), channel=Channel.EMAIL, name="t", subject="S ((name))", body="B ((name))",
            now=deps.clock(),
        )  # fmt: skip
    template, other = made["agency-a"], made["agency-b"]

    def cmd(key: str, to: str = "a@example.vn", template_id: str = template.id, **kw) -> SendCommand:
        return SendCommand("agency-a", Channel.EMAIL, template_id, to, {"name": "An"}, "", key, **kw)

    commands = [
        cmd("same"),
        cmd("same"),
        cmd("same", "changed@example.vn"),
        cmd("bad", "not-an-address"),
        cmd("foreign", template_id=other.id),
        cmd("test", test=True),
    ]
    commands += [cmd(f"k{i}", f"u{i}@example.vn") for i in range(15)]
    answers = await asyncio.gather(*(intake.send(c) for c in commands), return_exceptions=True)
    reasons = [a.reason if isinstance(a, DomainError) else "OK" for a in answers]
    assert reasons[:6] == [
        "OK",
        "OK",
        "IDEMPOTENCY_KEY_REUSED",
        "INVALID_RECIPIENT",
        "TEMPLATE_NOT_FOUND",
        "OK",
    ]
    assert answers[0].id == answers[1].id  # the same key answered with the same notification
    assert answers[5].test
    # 12 live e-mails fit in the day's cap: "same" and the first 11 of the others, in arrival order
    assert reasons[6:] == ["OK"] * 11 + ["DAILY_CAP_REACHED"] * 4
    again = await intake.send(cmd("k0", "u0@example.vn"))  # a retry after the cap is reached still answers
    assert again.id == answers[6].id
    await engine.dispose()
