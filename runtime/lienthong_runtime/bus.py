"""What every bus shares: the :class:`Bus` protocol, dead letters, redelivery timing, URL options, and how a
consumer's handler is run (:func:`deliver`).

The embedded bus (:mod:`lienthong_runtime.memory_bus`), the JetStream bus (:mod:`lienthong_runtime.nats_bus`) and
the outbox relay (:mod:`lienthong_runtime.relay`) build on this module; :mod:`lienthong_runtime.events` re-exports
it for services, so no bus module needs ``events`` (and importing any of them first works).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from lienthong.common.v1.events_pb2 import EventEnvelope

from .request_context import correlated

__all__ = [
    "Bus",
    "DeadLetter",
    "Handler",
    "OperableBus",
    "bus_url_options",
    "deliver",
    "redelivery_delay",
]

Handler = Callable[[EventEnvelope], Awaitable[None]]


async def deliver(handler: Handler, event: EventEnvelope) -> None:
    """Run a consumer's ``handler`` on ``event`` as part of the request that caused it: while it runs, the request
    id (:func:`~lienthong_runtime.request_context.current_request_id`) is the event's ``correlation_id`` (its own
    id when it has none), so the events the handler publishes carry it on and its log lines print it."""
    with correlated(event.correlation_id or event.id):
        await handler(event)


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
