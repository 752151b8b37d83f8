"""``lienthong events``: what an operator does after a handler bug dead-lettered events, and a catch-up replay."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_cli.events import parse_since
from lienthong_cli.main import main
from lienthong_runtime.nats_bus import JetStreamBus

from .conftest import MAX_DELIVER, delete_streams, jetstream_url
from .support import PAYMENT_SUCCEEDED, payment_event


def run_cli(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> object:
    capsys.readouterr()
    assert main(["events", "--bus-url", url, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


async def deliver_until(bus: JetStreamBus, handler_ids: list[str], fail: bool, count: int) -> None:
    async def handler(env: EventEnvelope) -> None:
        handler_ids.append(env.id)
        if fail:
            raise RuntimeError("handler bug")

    await bus.subscribe("notify", [PAYMENT_SUCCEEDED], handler)
    for _ in range(300):  # bounded wait
        if len(handler_ids) >= count and (not fail or await bus.list_dead_letters("notify")):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the consumer did not get the expected deliveries")


@pytest.mark.nats
def test_dead_letters_are_listed_replayed_and_the_stream_replays(
    nats_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = jetstream_url(nats_url)
    event = payment_event()
    calls: list[str] = []

    async def break_it() -> None:
        bus = JetStreamBus(url)
        await bus.publish(event)
        await deliver_until(bus, calls, fail=True, count=MAX_DELIVER)
        await bus.close()

    try:
        asyncio.run(break_it())
        [letter] = run_cli(capsys, url, "dlq", "list", "--consumer", "notify")
        assert (letter["event_id"], letter["deliveries"], letter["type"]) == (event.id, 3, PAYMENT_SUCCEEDED)

        assert run_cli(capsys, url, "dlq", "replay", "--consumer", "notify", "--seq", str(letter["seq"])) == {
            "consumer": "notify",
            "replayed": 1,
        }
        assert run_cli(capsys, url, "dlq", "list") == []
        assert run_cli(capsys, url, "replay", "--consumer", "notify", "--since", "1h")["replayed"] == 1

        async def fixed() -> None:  # the fixed release starts: it gets the dead letter and the replay
            bus = JetStreamBus(url)
            await deliver_until(bus, calls, fail=False, count=MAX_DELIVER + 2)
            await bus.close()

        asyncio.run(fixed())
        assert calls == [event.id] * (MAX_DELIVER + 2)
        status = run_cli(capsys, url, "status")
        stream = next(v for k, v in status.items() if not k.endswith(("_DLQ", "_REPLAY")))
        assert stream["messages"] == 1 and "notify" in stream["consumers"]
    finally:
        asyncio.run(delete_streams(JetStreamBus(url)))


def test_since_takes_ages_and_iso_times() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert parse_since("90m", now) == now - timedelta(minutes=90)
    assert parse_since("2026-11-27T10:00:00Z") == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert parse_since("2026-11-27T17:00:00+07:00") == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_memory_bus_urls_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--bus-url", "memory://", "status"]) == 2
    assert "lienthong dev" in capsys.readouterr().out
