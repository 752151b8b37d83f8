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
import hashlib
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

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
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope

log = logging.getLogger("lienthong.events")

Handler = Callable[[EventEnvelope], Awaitable[None]]
M = TypeVar("M", bound=Message)


def outbox_table(metadata: MetaData) -> Table:
    """The outbox of one service: events waiting to be published, in commit order."""
    return Table(
        "outbox",
        metadata,
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
        "processed_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )


def event_type(message: Message) -> str:
    return message.DESCRIPTOR.full_name


def envelope(
    source: str, message: Message, *, subject: str = "", agency_id: str = "", correlation_id: str = ""
) -> EventEnvelope:
    """Wrap a v1 event message in the common envelope with a fresh id and the current time."""
    payload = any_pb2.Any()
    payload.Pack(message)
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    return EventEnvelope(
        id=uuid.uuid4().hex,
        type=event_type(message),
        source=source,
        time=now,
        subject=subject,
        agency_id=agency_id,
        payload=payload,
        correlation_id=correlation_id,
    )


async def add_event(session: AsyncSession, outbox: Table, event: EventEnvelope) -> None:
    """Stage ``event`` in the outbox; it is published only if the surrounding transaction commits."""
    await session.execute(
        insert(outbox).values(
            event_id=event.id,
            type=event.type,
            envelope=event.SerializeToString(),
            created_at=datetime.now(UTC),
            attempts=0,
        )
    )


async def first_delivery(session: AsyncSession, processed: Table, consumer: str, event_id: str) -> bool:
    """Record that ``consumer`` handles ``event_id`` now; False if it already did (skip the side effect).

    Call inside the transaction that performs the side effect, so both commit or neither does.
    """
    try:
        async with session.begin_nested():
            await session.execute(
                insert(processed).values(consumer=consumer, event_id=event_id, processed_at=datetime.now(UTC))
            )
        return True
    except IntegrityError:
        return False


def payload_of(event: EventEnvelope, message_cls: type[M]) -> M:
    """The envelope's payload as ``message_cls``; ValueError if it holds another event type."""
    message = message_cls()
    if not event.payload.Unpack(message):
        raise ValueError(f"envelope holds {event.type}, not {message_cls.DESCRIPTOR.full_name}")
    return message


def subject_of(event_type_name: str) -> str:
    """Subject stem of an event type (its full name); JetStream appends the agency, see ``nats_bus.event_subject``."""
    return event_type_name


def redelivery_delay(base: float, deliveries: int) -> float:
    """Wait before the next delivery after ``deliveries`` failed ones: base, 2x, 4x ... capped at 60 s."""
    return min(base * 2 ** max(deliveries - 1, 0), 60.0)


def bus_url_options(url: str) -> tuple[str, dict[str, str]]:
    """Split ``scheme://host:port?max_deliver=5&...`` into the URL without query and its options."""
    parts = urlsplit(url)
    return parts._replace(query="").geturl(), dict(parse_qsl(parts.query))


@dataclass(frozen=True)
class DeadLetter:
    """An event a consumer gave up on after ``deliveries`` failed attempts, kept for inspection and replay."""

    seq: int
    consumer: str
    event: EventEnvelope
    reason: str
    deliveries: int
    time: datetime


class Bus(Protocol):
    """At-least-once publish/subscribe of envelopes, with durable named consumers."""

    async def publish(self, event: EventEnvelope) -> None: ...

    async def subscribe(self, consumer: str, types: Sequence[str], handler: Handler) -> None: ...

    async def close(self) -> None: ...


class OperableBus(Bus, Protocol):
    """What operators use (``lienthong events ...``); both buses implement it."""

    async def list_dead_letters(self, consumer: str | None = None, limit: int = 100) -> list[DeadLetter]: ...

    async def replay_dead_letters(self, consumer: str, seqs: Sequence[int] | None = None) -> int: ...

    async def replay(
        self,
        consumer: str,
        *,
        since_seq: int | None = None,
        since_time: datetime | None = None,
        types: Sequence[str] = (),
    ) -> int: ...

    async def status(self) -> dict[str, Any]: ...


@dataclass(eq=False)
class _MemoryConsumer:
    name: str
    types: frozenset[str]
    handler: Handler
    loop: asyncio.AbstractEventLoop
    #: (stream seq, event, deliveries so far) ready for delivery.
    ready: deque[tuple[int, EventEnvelope, int]] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def wants(self, event_type: str) -> bool:
        return not self.types or event_type in self.types

    def offer(self, item: tuple[int, EventEnvelope, int]) -> None:
        self.ready.append(item)
        if self.loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.wake.set()
        else:
            self.loop.call_soon_threadsafe(self.wake.set)


class MemoryBus:
    """The embedded bus: in-process, with the JetStream bus's semantics. At least once: a handler that raises
    gets the event again after a growing delay, up to ``max_deliveries`` times; then the event becomes a
    :class:`DeadLetter` that :meth:`replay_dead_letters` can hand back once the handler is fixed. Publishing an
    event id seen within ``duplicate_window`` seconds is a no-op (as JetStream's ``Nats-Msg-Id``). The last
    ``retention`` events are kept for :meth:`replay`. A consumer gets the events published after it first
    subscribed; subscribing again under the same name (a restart) keeps its undelivered events.
    """

    def __init__(
        self,
        *,
        max_deliveries: int = 5,
        redelivery_delay: float = 0.2,
        duplicate_window: float = 600.0,
        retention: int = 10_000,
    ) -> None:
        self.max_deliveries = max_deliveries
        self.redelivery_delay = redelivery_delay
        self.duplicate_window = duplicate_window
        self._log: deque[tuple[int, datetime, EventEnvelope]] = deque(maxlen=retention)
        self._seq = 0
        self._recent: OrderedDict[str, float] = OrderedDict()
        self._consumers: dict[str, _MemoryConsumer] = {}
        self._dead: list[DeadLetter] = []

    @property
    def dead_letters(self) -> list[tuple[str, EventEnvelope]]:
        """(consumer, event) of every dead letter, oldest first."""
        return [(letter.consumer, letter.event) for letter in self._dead]

    async def publish(self, event: EventEnvelope) -> None:
        now = time.monotonic()
        while self._recent and next(iter(self._recent.values())) < now - self.duplicate_window:
            self._recent.popitem(last=False)
        if event.id in self._recent:
            return
        self._recent[event.id] = now
        self._seq += 1
        self._log.append((self._seq, datetime.now(UTC), event))
        for consumer in self._live_consumers():
            if consumer.wants(event.type):
                consumer.offer((self._seq, event, 0))

    async def subscribe(self, consumer: str, types: Sequence[str], handler: Handler) -> None:
        previous = self._consumers.get(consumer)
        current = _MemoryConsumer(consumer, frozenset(types), handler, asyncio.get_running_loop())
        if previous is not None and not previous.loop.is_closed():
            if previous.task is not None:
                previous.task.cancel()
            current.ready.extend(previous.ready)
        self._consumers[consumer] = current
        current.task = asyncio.create_task(self._deliver(current), name=f"bus-consumer-{consumer}")
        if current.ready:
            current.wake.set()

    def _live_consumers(self) -> list[_MemoryConsumer]:
        # A consumer whose event loop is gone (an earlier test, a stopped app) can never run again.
        for name in [n for n, c in self._consumers.items() if c.loop.is_closed()]:
            del self._consumers[name]
        return list(self._consumers.values())

    async def _deliver(self, consumer: _MemoryConsumer) -> None:
        while True:
            while not consumer.ready:
                consumer.wake.clear()
                await consumer.wake.wait()
            item = consumer.ready.popleft()
            try:
                await self._attempt(consumer, item)
            except asyncio.CancelledError:
                consumer.ready.appendleft(item)  # not acknowledged: delivered again after a restart
                raise

    async def _attempt(self, consumer: _MemoryConsumer, item: tuple[int, EventEnvelope, int]) -> None:
        seq, event, deliveries = item
        deliveries += 1
        try:
            await consumer.handler(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "event handler failed",
                exc_info=True,
                extra={"consumer": consumer.name, "event_id": event.id, "attempt": deliveries},
            )
            if deliveries >= self.max_deliveries:
                self._dead.append(
                    DeadLetter(
                        seq,
                        consumer.name,
                        event,
                        f"handler raised {type(exc).__name__}",
                        deliveries,
                        datetime.now(UTC),
                    )
                )
                log.error("event dead-lettered", extra={"consumer": consumer.name, "event_id": event.id})
            else:
                consumer.loop.call_later(
                    redelivery_delay(self.redelivery_delay, deliveries),
                    self._redeliver,
                    consumer.name,
                    (seq, event, deliveries),
                )

    def _redeliver(self, name: str, item: tuple[int, EventEnvelope, int]) -> None:
        consumer = self._consumers.get(name)
        if consumer is not None:
            consumer.offer(item)

    def _consumer(self, name: str) -> _MemoryConsumer:
        consumer = self._consumers.get(name)
        if consumer is None or consumer.loop.is_closed():
            raise LookupError(f"no consumer named {name!r} is subscribed")
        return consumer

    async def list_dead_letters(self, consumer: str | None = None, limit: int = 100) -> list[DeadLetter]:
        """Dead letters (of one consumer, or all), oldest first."""
        return [d for d in self._dead if consumer is None or d.consumer == consumer][:limit]

    async def replay_dead_letters(self, consumer: str, seqs: Sequence[int] | None = None) -> int:
        """Hand ``consumer``'s dead letters (those with the given stream ``seqs``, or all) back to it."""
        target = self._consumer(consumer)
        chosen = [d for d in self._dead if d.consumer == consumer and (seqs is None or d.seq in seqs)]
        self._dead = [d for d in self._dead if d not in chosen]
        for letter in chosen:
            target.offer((letter.seq, letter.event, 0))
        return len(chosen)

    async def replay(
        self,
        consumer: str,
        *,
        since_seq: int | None = None,
        since_time: datetime | None = None,
        types: Sequence[str] = (),
    ) -> int:
        """Deliver retained events again to ``consumer`` from a sequence number or a time (idempotent consumers
        skip what they already processed)."""
        target = self._consumer(consumer)
        count = 0
        for seq, when, event in list(self._log):
            if (since_seq is not None and seq < since_seq) or (since_time is not None and when < since_time):
                continue
            if (types and event.type not in types) or not target.wants(event.type):
                continue
            target.offer((seq, event, 0))
            count += 1
        return count

    async def status(self) -> dict[str, Any]:
        """Stream and consumer figures, as ``lienthong events status`` shows them."""
        first = self._log[0][0] if self._log else 0
        return {
            "stream": {
                "name": "memory",
                "messages": len(self._log),
                "first_seq": first,
                "last_seq": self._seq,
            },
            "dead_letters": len(self._dead),
            "consumers": {
                c.name: {"pending": len(c.ready), "types": sorted(c.types)} for c in self._live_consumers()
            },
        }

    async def close(self) -> None:
        """Stop the consumers running on this event loop."""
        loop = asyncio.get_running_loop()
        mine = [c for c in self._live_consumers() if c.loop is loop]
        for consumer in mine:
            if consumer.task is not None:
                consumer.task.cancel()
        for consumer in mine:
            if consumer.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await consumer.task
            self._consumers.pop(consumer.name, None)


_memory_buses: dict[str, MemoryBus] = {}


def connect_bus(url: str) -> Any:
    """The bus for a settings URL: ``memory://[name]`` (shared within the process) or ``nats://host:port``.

    Options go in the query: ``max_deliver``, ``nak_delay`` (seconds) for both; the JetStream ones are listed in
    :mod:`lienthong_runtime.nats_bus`. Example: ``nats://127.0.0.1:4222?max_deliver=8&ack_wait=60``.
    """
    if url.startswith("memory://"):
        if url not in _memory_buses:
            _, options = bus_url_options(url)
            _memory_buses[url] = MemoryBus(
                max_deliveries=int(options.get("max_deliver", 5)),
                redelivery_delay=float(options.get("nak_delay", 0.2)),
            )
        return _memory_buses[url]
    if url.startswith(("nats://", "tls://")):
        from .nats_bus import JetStreamBus

        return JetStreamBus(url)
    raise ValueError(f"unsupported bus URL scheme: {url.split(':', 1)[0]}")


class OutboxRelay:
    """Publishes committed outbox rows in ``seq`` order; keeps them (and retries) while the bus is down.

    Several replicas may run a relay against one PostgreSQL database: a transaction-scoped advisory lock lets
    exactly one of them publish at a time (plain ``FOR UPDATE SKIP LOCKED`` would let a second replica publish
    rows 201-400 while the first still publishes 1-200, reordering events). A row is marked published only after
    the bus acknowledged it; if marking fails the row is published again and the bus drops the copy by event id
    (JetStream's duplicate window) and consumers drop it by ``first_delivery``. With ``delete_published`` the rows
    are deleted instead of kept (for outboxes that carry personal data).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Table,
        bus: Bus,
        *,
        interval: float = 0.2,
        batch: int = 200,
        delete_published: bool = False,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.bus = bus
        self.interval = interval
        self.batch = batch
        self.delete_published = delete_published
        self._lock_key = int.from_bytes(
            hashlib.sha256(f"outbox-relay:{outbox.name}".encode()).digest()[:8], "big", signed=True
        )
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Publish now rather than at the next poll (call after committing an event)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """One pass: publish up to ``batch`` pending events in order. Returns how many were published; raises
        the bus error (after recording what did go out) when the bus fails."""
        async with self.sessions() as session:
            if session.get_bind().dialect.name == "postgresql":
                async with session.begin():  # lock, publish and mark in one transaction: one relay at a time
                    locked = await session.scalar(
                        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": self._lock_key}
                    )
                    if not locked:
                        return 0
                    done, failure = await self._publish(await self._pending(session))
                    await self._mark(session, done, failure)
            else:  # SQLite: one process per file; don't hold its write lock while the bus answers
                async with session.begin():
                    rows = await self._pending(session)
                done, failure = await self._publish(rows)
                async with session.begin():
                    await self._mark(session, done, failure)
        if failure is not None:
            raise failure[1]
        return len(done)

    async def _pending(self, session: AsyncSession) -> list[Any]:
        query = (
            select(self.outbox.c.seq, self.outbox.c.envelope)
            .where(self.outbox.c.published_at.is_(None))
            .order_by(self.outbox.c.seq)
            .limit(self.batch)
        )
        return list((await session.execute(query)).all())

    async def _publish(self, rows: list[Any]) -> tuple[list[int], tuple[int, Exception] | None]:
        done: list[int] = []
        for seq, data in rows:
            try:
                await self.bus.publish(EventEnvelope.FromString(data))
            except Exception as exc:  # keep what went out; the rest waits, in order, for the next pass
                return done, (seq, exc)
            done.append(seq)
        return done, None

    async def _mark(
        self, session: AsyncSession, done: list[int], failure: tuple[int, Exception] | None
    ) -> None:
        if done:
            rows = self.outbox.c.seq.in_(done)
            await session.execute(
                delete(self.outbox).where(rows)
                if self.delete_published
                else update(self.outbox).where(rows).values(published_at=datetime.now(UTC))
            )
        if failure is not None:
            await session.execute(
                update(self.outbox)
                .where(self.outbox.c.seq == failure[0])
                .values(attempts=self.outbox.c.attempts + 1)
            )

    async def run(self) -> None:
        """Relay forever (a background job of the service), backing off up to 5 s while the bus is down."""
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
