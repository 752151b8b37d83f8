"""The delivery semantics both buses promise, run against the embedded bus and NATS JetStream alike:
publish deduplication, at-least-once redelivery that an idempotent consumer absorbs, dead letters after
``max_deliver`` attempts and their replay, and replay from the stream."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.db import create_engine, session_factory

from .conftest import MAX_DELIVER
from .support import PAYMENT_SUCCEEDED, Consumer, create_schema, effect_counts, payment_event, until


async def _sessions(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(url)
    await create_schema(engine)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def sessions(sqlite_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The consumers' database (SQLite: the bus semantics do not depend on it)."""
    async for factory in _sessions(sqlite_url):
        yield factory


@pytest.fixture
async def any_db_sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The consumers' database on SQLite and on PostgreSQL (where first_delivery's savepoint matters)."""
    async for factory in _sessions(db_url):
        yield factory


async def test_a_repeated_publish_is_delivered_once(bus, sessions) -> None:
    consumer = Consumer(sessions, "notify")
    await bus.subscribe("notify", [PAYMENT_SUCCEEDED], consumer)
    first, second = payment_event(), payment_event()
    await bus.publish(first)
    await bus.publish(first)  # the relay re-publishing a row it could not mark: same event id
    await bus.publish(second)
    await until(lambda: second.id in consumer.done, "the later event was handled")
    assert consumer.calls == [first.id, second.id]


async def test_crash_after_commit_does_not_repeat_the_side_effect(bus, any_db_sessions) -> None:
    """The handler commits its side effect and dies before acknowledging: the event comes again, and
    ``first_delivery`` keeps the side effect single. A naive consumer on the same bus shows the redelivery."""
    sessions = any_db_sessions
    events = [payment_event() for _ in range(3)]
    careful = Consumer(sessions, "notify", crash_after_commit={events[1].id})
    naive = Consumer(sessions, "naive", idempotent=False, crash_after_commit={events[1].id})
    await bus.subscribe("notify", [PAYMENT_SUCCEEDED], careful)
    await bus.subscribe("naive", [PAYMENT_SUCCEEDED], naive)
    for event in events:
        await bus.publish(event)

    await until(
        lambda: careful.done.count(events[1].id) == 2 and naive.done.count(events[1].id) == 2,
        "the crashed delivery was redelivered to both consumers",
    )
    await until(lambda: all(e.id in careful.done for e in events), "every event reached the consumer")
    assert await effect_counts(sessions, "notify") == {e.id: 1 for e in events}
    assert (await effect_counts(sessions, "naive"))[events[1].id] == 2  # what first_delivery prevented


async def test_always_failing_handler_ends_in_dead_letters_and_replays_once_fixed(bus, sessions) -> None:
    consumer = Consumer(sessions, "notify", broken=True)
    await bus.subscribe("notify", [PAYMENT_SUCCEEDED], consumer)
    poison, fine = payment_event(), payment_event()
    await bus.publish(poison)

    async def dead() -> bool:
        return len(await bus.list_dead_letters("notify")) == 1

    await until(dead, "the event was dead-lettered")
    [letter] = await bus.list_dead_letters("notify")
    assert (letter.event.id, letter.consumer, letter.deliveries) == (poison.id, "notify", MAX_DELIVER)
    assert "RuntimeError" in letter.reason
    assert consumer.calls == [poison.id] * MAX_DELIVER  # no delivery after the last attempt

    consumer.broken = False  # the handler is fixed (a new release)
    await bus.publish(fine)
    assert await bus.replay_dead_letters("notify") == 1
    await until(
        lambda: poison.id in consumer.done and fine.id in consumer.done,
        "the replayed and the new event were handled",
    )
    assert await effect_counts(sessions, "notify") == {poison.id: 1, fine.id: 1}
    assert await bus.list_dead_letters("notify") == []


async def test_replay_from_the_stream_is_harmless_for_an_idempotent_consumer(bus, sessions) -> None:
    consumer = Consumer(sessions, "notify")
    await bus.subscribe("notify", [PAYMENT_SUCCEEDED], consumer)
    events = [payment_event() for _ in range(4)]
    for event in events:
        await bus.publish(event)
    await until(lambda: len(consumer.done) == 4, "the events were handled")

    assert await bus.replay("notify", since_seq=3) == 2
    await until(lambda: len(consumer.done) == 6, "the replayed events were delivered")
    assert consumer.calls[4:] == [events[2].id, events[3].id]
    assert await effect_counts(sessions, "notify") == {e.id: 1 for e in events}


async def test_a_consumer_only_gets_its_types_and_status_counts(bus, sessions) -> None:
    from lienthong.identity.v1 import events_pb2 as identity_events
    from lienthong_runtime.events import envelope

    consumer = Consumer(sessions, "notify")
    await bus.subscribe("notify", [PAYMENT_SUCCEEDED], consumer)
    other = envelope("identity", identity_events.TokenRevoked(token_id="t1"), subject="t1")
    mine = payment_event()
    await bus.publish(other)
    await bus.publish(mine)
    await until(lambda: mine.id in consumer.done, "the payment event was handled")
    assert consumer.calls == [mine.id]
    assert await bus.status()  # both buses describe themselves for `lienthong events status`
