"""Domain events: the transactional outbox, the bus interface, the embedded in-process bus and idempotent
consumers.

A service writes an :class:`EventEnvelope` to its ``outbox`` table in the same transaction as the change
(:func:`add_event`); :class:`OutboxRelay` publishes pending rows to the bus and marks them published. Consumers
record each event id they processed in ``processed_events`` in the same transaction as their side effect
(:func:`first_delivery`), so a redelivery changes nothing. The NATS JetStream bus lives in
:mod:`lienthong_runtime.nats_bus`; both implement :class:`Bus`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope

log = logging.getLogger("lienthong.events")

Handler = Callable[[EventEnvelope], Awaitable[None]]


def outbox_table(metadata: MetaData) -> Table:
    """The outbox of one service: events waiting to be published, in commit order."""
    return Table(
        "outbox", metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("type", String(200), nullable=False),
        Column("envelope", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
    )


def processed_events_table(metadata: MetaData) -> Table:
    """Event ids a consumer has handled; the primary key makes a second delivery a no-op."""
    return Table(
        "processed_events", metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )


def event_type(message: Message) -> str:
    return message.DESCRIPTOR.full_name


def envelope(source: str, message: Message, *, subject: str = "", agency_id: str = "",
             correlation_id: str = "") -> EventEnvelope:
    """Wrap a v1 event message in the common envelope with a fresh id and the current time."""
    payload = any_pb2.Any()
    payload.Pack(message)
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    return EventEnvelope(id=uuid.uuid4().hex, type=event_type(message), source=source, time=now,
                         subject=subject, agency_id=agency_id, payload=payload, correlation_id=correlation_id)


async def add_event(session: AsyncSession, outbox: Table, event: EventEnvelope) -> None:
    """Stage ``event`` in the outbox; it is published only if the surrounding transaction commits."""
    await session.execute(insert(outbox).values(
        event_id=event.id, type=event.type, envelope=event.SerializeToString(),
        created_at=datetime.now(UTC), attempts=0,
    ))


async def first_delivery(session: AsyncSession, processed: Table, consumer: str, event_id: str) -> bool:
    """Record that ``consumer`` handles ``event_id`` now; False if it already did (skip the side effect).

    Call inside the transaction that performs the side effect, so both commit or neither does.
    """
    try:
        async with session.begin_nested():
            await session.execute(insert(processed).values(
                consumer=consumer, event_id=event_id, processed_at=datetime.now(UTC)))
        return True
    except IntegrityError:
        return False


def subject_of(event_type_name: str) -> str:
    """Bus subject of an event type: ``lienthong.payment.v1.PaymentSucceeded`` is its own subject."""
    return event_type_name


class Bus(Protocol):
    """At-least-once publish/subscribe of envelopes, with durable named consumers."""

    async def publish(self, event: EventEnvelope) -> None: ...

    async def subscribe(self, consumer: str, types: Sequence[str], handler: Handler) -> None: ...

    async def close(self) -> None: ...


class MemoryBus:
    """The embedded bus: in-process, at-least-once, with redelivery after a handler failure and a dead-letter
    list after ``max_deliveries``. Same interface as the JetStream bus."""

    def __init__(self, *, max_deliveries: int = 5, redelivery_delay: float = 0.2) -> None:
        self.max_deliveries = max_deliveries
        self.redelivery_delay = redelivery_delay
        self._consumers: dict[str, tuple[frozenset[str], asyncio.Queue[EventEnvelope], Handler]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._seen: set[str] = set()
        self.dead_letters: list[tuple[str, EventEnvelope]] = []

    async def publish(self, event: EventEnvelope) -> None:
        if event.id in self._seen:  # publish deduplication by event id, as JetStream's Nats-Msg-Id
            return
        self._seen.add(event.id)
        for types, queue, _ in self._consumers.values():
            if not types or event.type in types:
                queue.put_nowait(event)

    async def subscribe(self, consumer: str, types: Sequence[str], handler: Handler) -> None:
        queue: asyncio.Queue[EventEnvelope] = asyncio.Queue()
        self._consumers[consumer] = (frozenset(types), queue, handler)
        self._tasks[consumer] = asyncio.create_task(self._deliver(consumer, queue, handler))

    async def _deliver(self, consumer: str, queue: asyncio.Queue[EventEnvelope], handler: Handler) -> None:
        while True:
            event = await queue.get()
            for attempt in range(1, self.max_deliveries + 1):
                try:
                    await handler(event)
                    break
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.warning("event handler failed", exc_info=True,
                                extra={"consumer": consumer, "event_id": event.id, "attempt": attempt})
                    await asyncio.sleep(self.redelivery_delay * attempt)
            else:
                self.dead_letters.append((consumer, event))

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


_memory_buses: dict[str, MemoryBus] = {}


def connect_bus(url: str) -> Any:
    """The bus for a settings URL: ``memory://[name]`` (shared within the process) or ``nats://host:port``."""
    if url.startswith("memory://"):
        return _memory_buses.setdefault(url, MemoryBus())
    if url.startswith(("nats://", "tls://")):
        from .nats_bus import JetStreamBus

        return JetStreamBus(url)
    raise ValueError(f"unsupported bus URL scheme: {url.split(':', 1)[0]}")


class OutboxRelay:
    """Publishes committed outbox rows in order; keeps them (and retries) while the bus is down."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table, bus: Bus, *,
                 interval: float = 0.2, batch: int = 200) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.bus = bus
        self.interval = interval
        self.batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Publish now rather than at the next poll (call after committing an event)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """One pass: publish up to ``batch`` pending events. Returns how many were published."""
        async with self.sessions() as session, session.begin():
            query = (select(self.outbox.c.seq, self.outbox.c.envelope)
                     .where(self.outbox.c.published_at.is_(None))
                     .order_by(self.outbox.c.seq).limit(self.batch))
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            done: list[int] = []
            failure: Exception | None = None
            for seq, data in rows:
                event = EventEnvelope()
                event.ParseFromString(data)
                try:
                    await self.bus.publish(event)
                except Exception as exc:  # keep what went out; the rest waits for the next pass
                    failure = exc
                    break
                done.append(seq)
            if done:
                await session.execute(update(self.outbox).where(self.outbox.c.seq.in_(done))
                                      .values(published_at=datetime.now(UTC)))
            published = len(done)
        if failure is not None:
            raise failure
        return published

    async def run(self) -> None:
        """Relay forever (a background job of the service)."""
        backoff = self.interval
        while True:
            try:
                count = await self.publish_pending()
                backoff = self.interval
                if count >= self.batch:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox relay could not publish; will retry", exc_info=True)
                backoff = min(backoff * 2, 5.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
            self._wake.clear()
