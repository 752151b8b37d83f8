"""A consumer process dies after committing its side effect and before acknowledging: JetStream redelivers
the event after ``ack_wait`` to the restarted consumer, and first_delivery keeps the side effect single."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.nats_bus import JetStreamBus

from .conftest import delete_streams, jetstream_url
from .crashing_consumer import EXIT_AFTER_COMMIT
from .support import PAYMENT_SUCCEEDED, Consumer, create_schema, effect_counts, payment_event, until

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.nats


async def test_killed_consumer_process_does_not_repeat_its_side_effect(pg_url: str, nats_url: str) -> None:
    engine = create_engine(pg_url)
    await create_schema(engine)
    sessions = session_factory(engine)
    url = jetstream_url(nats_url, ack_wait=1)
    bus = JetStreamBus(url)
    event = payment_event()
    await bus.publish(event)
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.events.crashing_consumer",
            pg_url,
            url,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert await asyncio.wait_for(child.wait(), timeout=20) == EXIT_AFTER_COMMIT
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
        assert await effect_counts(sessions, "notify") == {event.id: 1}  # committed before the process died

        restarted = Consumer(sessions, "notify")  # the next instance of the same durable consumer
        await bus.subscribe("notify", [PAYMENT_SUCCEEDED], restarted)
        await until(lambda: event.id in restarted.done, "the unacknowledged event was redelivered")
        assert await effect_counts(sessions, "notify") == {event.id: 1}
    finally:
        await bus.close()
        await delete_streams(bus)
        await engine.dispose()
