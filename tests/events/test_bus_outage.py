"""NATS goes away while a service keeps committing: the outbox grows, nothing is lost, and after NATS returns
every event takes effect exactly once at an idempotent consumer (PostgreSQL, a private nats-server)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import func, select

from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.nats_bus import JetStreamBus

from .conftest import jetstream_url
from .support import (
    PAYMENT_SUCCEEDED,
    Consumer,
    NatsServer,
    commit_payment,
    create_schema,
    effect_counts,
    outbox,
    payments,
    pending_outbox,
    until,
)

pytestmark = pytest.mark.nats


async def test_outage_keeps_commits_and_delivers_each_event_once_after_recovery(
    pg_url: str, nats_server: NatsServer
) -> None:
    engine = create_engine(pg_url)
    await create_schema(engine)
    sessions = session_factory(engine)
    url = jetstream_url(nats_server.url, publish_timeout=0.5, ack_wait=5)
    publisher, subscriber = JetStreamBus(url), JetStreamBus(url)  # the payment and the notify process
    consumer = Consumer(sessions, "notify")
    await subscriber.subscribe("notify", [PAYMENT_SUCCEEDED], consumer)
    relay = OutboxRelay(sessions, outbox, publisher, interval=0.05)
    relay_task = asyncio.create_task(relay.run())
    try:
        before = [await commit_payment(sessions) for _ in range(5)]
        await until(lambda: set(before) <= set(consumer.done), "events before the outage were handled")

        nats_server.kill()
        during = []
        for _ in range(20):  # the service keeps working: every change commits, its event waits in the outbox
            during.append(await commit_payment(sessions))
            relay.wake()
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(payments)) == 25

        async def relay_retried() -> bool:
            async with sessions() as session:
                return (await session.scalar(select(func.max(outbox.c.attempts)))) >= 2

        await until(relay_retried, "the relay tried, and failed, to publish more than once")
        assert await pending_outbox(sessions) == 20  # the outbox grew; nothing was marked without a PubAck

        nats_server.start()  # same port, same store: streams and the durable consumer survive
        after = [await commit_payment(sessions) for _ in range(5)]
        everything = before + during + after

        async def all_published() -> bool:
            return await pending_outbox(sessions) == 0

        await until(all_published, "the outbox drained")
        await until(lambda: set(everything) <= set(consumer.done), "every event was handled", timeout=20)

        async def settled() -> bool:  # nothing left unacknowledged that could still come again
            state = (await subscriber.status())[subscriber.options.event_stream]
            notify = state["consumers"]["notify"]
            return notify["pending"] == 0 and notify["ack_pending"] == 0

        await until(settled, "the consumer acknowledged everything")
        assert await effect_counts(sessions, "notify") == {event_id: 1 for event_id in everything}
        stream = (await subscriber.status())[subscriber.options.event_stream]
        assert stream["messages"] == 30  # publishes retried across the outage were deduplicated by event id
    finally:
        relay_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay_task
        await publisher.close()
        await subscriber.close()
        await engine.dispose()
