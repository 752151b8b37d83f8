"""Domain events: the transactional outbox, the bus interface, the embedded in-process bus and idempotent
consumers.

A service writes an :class:`EventEnvelope` to its ``outbox`` table in the same transaction as the change
(:func:`add_event`); :class:`OutboxRelay` publishes pending rows to the bus and marks them published. Consumers
record each event id they processed in ``processed_events`` in the same transaction as their side effect
(:func:`first_delivery`), so a redelivery changes nothing. The NATS JetStream bus lives in
:mod:`lienthong_runtime.nats_bus`; both implement :class:`Bus`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, TypeVar

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
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong.common.v1.events_pb2 import EventEnvelope

from .bus import Bus, DeadLetter, Handler, OperableBus, bus_url_options, deliver, redelivery_delay
from .ids import new_id
from .memory_bus import MemoryBus
from .relay import OutboxRelay
from .request_context import current_request_id

log = logging.getLogger("lienthong.events")

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
    """Wrap a v1 event message in the common envelope with a fresh (time-ordered) id and the current time.

    ``correlation_id`` defaults to the id of the request being handled (an RPC's, or in a consumer the one its
    event carried), so an event can be traced back to the call that caused it."""
    payload = any_pb2.Any()
    payload.Pack(message)
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    return EventEnvelope(
        id=new_id(),
        type=event_type(message),
        source=source,
        time=now,
        subject=subject,
        agency_id=agency_id,
        payload=payload,
        correlation_id=correlation_id or current_request_id(),
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


# The bus basics, the embedded bus and the relay live in their own modules (none imports this one); re-exported
# here, the one place services import from.
__all__ = [
    "Bus",
    "DeadLetter",
    "Handler",
    "MemoryBus",
    "OperableBus",
    "OutboxRelay",
    "add_event",
    "bus_url_options",
    "connect_bus",
    "deliver",
    "envelope",
    "event_type",
    "first_delivery",
    "outbox_table",
    "payload_of",
    "processed_events_table",
    "redelivery_delay",
]
