"""The embedded, in-process event bus (``memory://``) with the JetStream bus's delivery semantics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lienthong.common.v1.events_pb2 import EventEnvelope

from . import metrics
from .bus import DeadLetter, Handler, deliver, redelivery_delay

log = logging.getLogger("lienthong.events")


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
            metrics.BUS_PENDING.labels(consumer.name).set(len(consumer.ready))
            try:
                await self._attempt(consumer, item)
            except asyncio.CancelledError:
                consumer.ready.appendleft(item)  # not acknowledged: delivered again after a restart
                raise

    async def _attempt(self, consumer: _MemoryConsumer, item: tuple[int, EventEnvelope, int]) -> None:
        seq, event, deliveries = item
        deliveries += 1
        try:
            await deliver(consumer.handler, event)
            metrics.BUS_HANDLED.labels(consumer.name, "ok").inc()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "event handler failed",
                exc_info=True,
                extra={"consumer": consumer.name, "event_id": event.id, "attempt": deliveries},
            )
            outcome = "dead_letter" if deliveries >= self.max_deliveries else "retry"
            metrics.BUS_HANDLED.labels(consumer.name, outcome).inc()
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
