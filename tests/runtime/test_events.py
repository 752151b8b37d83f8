"""The runtime's event pieces on their own: first_delivery in the consumer's transaction (SQLite and
PostgreSQL), the outbox relay's order, retries and replicas, the embedded bus across event loops, bus options."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.events import (
    MemoryBus,
    OutboxRelay,
    add_event,
    connect_bus,
    envelope,
    first_delivery,
    outbox_table,
    payload_of,
    processed_events_table,
)
from lienthong_runtime.nats_bus import JetStreamOptions

metadata = MetaData()
outbox = outbox_table(metadata)
processed = processed_events_table(metadata)


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield session_factory(engine)
    await engine.dispose()


def event(n: int = 0) -> EventEnvelope:
    return envelope(
        "payment", payment_events.PaymentSucceeded(payment_id=f"p{n}", amount_vnd=n), subject=f"p{n}"
    )


async def stage(sessions: async_sessionmaker[AsyncSession], count: int) -> list[str]:
    ids = []
    for n in range(count):
        env = event(n)
        async with sessions() as session, session.begin():
            await add_event(session, outbox, env)
        ids.append(env.id)
    return ids


class RecordingBus:
    """Records what was published; fails the publishes whose number is in ``fail_at``."""

    def __init__(self, fail_at: set[int] | None = None) -> None:
        self.published: list[str] = []
        self.fail_at = fail_at or set()
        self.calls = 0

    async def publish(self, env: EventEnvelope) -> None:
        self.calls += 1
        if self.calls in self.fail_at:
            raise ConnectionError("bus unavailable")
        await asyncio.sleep(0)  # let a concurrent relay run in between
        self.published.append(env.id)


async def test_first_delivery_records_once_and_rolls_back_with_the_side_effect(sessions) -> None:
    event_id = uuid.uuid4().hex
    async with sessions() as session, session.begin():
        assert await first_delivery(session, processed, "notify", event_id)
        assert not await first_delivery(session, processed, "notify", event_id)  # same transaction
    async with sessions() as session, session.begin():
        assert not await first_delivery(session, processed, "notify", event_id)  # a later redelivery
        assert await first_delivery(session, processed, "gateway", event_id)  # another consumer is separate
        await session.rollback()  # the side effect failed: the record goes with it
    async with sessions() as session, session.begin():
        assert await first_delivery(session, processed, "gateway", event_id)


async def test_relay_publishes_in_order_and_resumes_after_a_bus_failure(sessions) -> None:
    ids = await stage(sessions, 6)
    bus = RecordingBus(fail_at={3})
    relay = OutboxRelay(sessions, outbox, bus, batch=4)
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    assert bus.published == ids[:2]  # what went out before the failure is kept and marked
    assert await relay.publish_pending() == 4
    assert await relay.publish_pending() == 0  # nothing left
    assert bus.published == ids
    async with sessions() as session:
        attempts = dict((await session.execute(select(outbox.c.event_id, outbox.c.attempts))).all())
        pending = await session.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
    assert attempts[ids[2]] == 1 and pending == 0


async def test_relay_can_delete_what_it_published(sessions) -> None:
    await stage(sessions, 3)
    relay = OutboxRelay(sessions, outbox, RecordingBus(), delete_published=True)
    assert await relay.publish_pending() == 3
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(outbox)) == 0


async def test_relay_replicas_on_postgresql_publish_each_event_once_in_order(pg_url: str) -> None:
    engines = [create_engine(pg_url) for _ in range(3)]
    async with engines[0].begin() as conn:
        await conn.run_sync(metadata.create_all)
    sessions = session_factory(engines[0])
    ids = await stage(sessions, 60)
    bus = RecordingBus()
    relays = [OutboxRelay(session_factory(e), outbox, bus, batch=7) for e in engines]
    for _ in range(40):  # bounded: replicas race pass after pass until the outbox is empty
        await asyncio.gather(*(relay.publish_pending() for relay in relays))
        if len(bus.published) == len(ids):
            break
    assert bus.published == ids  # once each, in commit order, although three replicas ran concurrently
    for engine in engines:
        await engine.dispose()


async def test_memory_bus_delivers_again_on_a_new_event_loop() -> None:
    """A process-wide ``memory://`` bus outlives the event loop of an earlier app (or test)."""
    bus = MemoryBus()
    got: list[str] = []

    async def handler(env: EventEnvelope) -> None:
        got.append(env.id)

    async def first_app() -> None:
        await bus.subscribe("notify", [], handler)
        await bus.publish(event(1))
        await asyncio.sleep(0.05)

    await asyncio.get_running_loop().run_in_executor(None, asyncio.run, first_app())
    await bus.publish(event(2))  # the first loop is closed: its consumer is dropped, not called
    await bus.subscribe("notify", [], handler)
    later = event(3)
    await bus.publish(later)
    for _ in range(100):
        if later.id in got:
            break
        await asyncio.sleep(0.01)
    assert len(got) == 2 and got[-1] == later.id
    await bus.close()


def test_bus_options_come_from_the_url() -> None:
    bus = connect_bus(f"memory://{uuid.uuid4().hex}?max_deliver=2&nak_delay=0.01")
    assert (bus.max_deliveries, bus.redelivery_delay) == (2, 0.01)
    options = JetStreamOptions.from_query({"namespace": "staging", "max_deliver": "8", "ack_wait": "60"})
    assert (
        options.event_stream == "LIENTHONG_STAGING" and options.max_deliver == 8 and options.ack_wait == 60.0
    )
    assert options.subject("lienthong.dlq.notify") == "staging.lienthong.dlq.notify"
    with pytest.raises(ValueError, match="unknown bus option"):
        JetStreamOptions.from_query({"max_delivery": "3"})


def test_payload_of_unpacks_the_declared_type_only() -> None:
    env = envelope("identity", identity_events.TokenRevoked(token_id="jti-1"), subject="jti-1")
    assert payload_of(env, identity_events.TokenRevoked).token_id == "jti-1"
    with pytest.raises(ValueError):
        payload_of(env, payment_events.PaymentSucceeded)


async def test_jetstream_bus_refuses_what_is_not_a_v1_event_type() -> None:
    from lienthong_runtime.nats_bus import JetStreamBus

    bus = JetStreamBus("nats://127.0.0.1:1")
    with pytest.raises(ValueError):
        await bus.publish(EventEnvelope(id="x", type="not.an.event"))
    with pytest.raises(ValueError):
        await bus.subscribe("no.dots", [], lambda env: asyncio.sleep(0))
    await bus.close()
