"""Test scaffolding for the event machinery: a tiny "service" schema (a change table, the outbox, the
consumer's processed-events record and a side-effect table), idempotent and naive handlers, bounded waits and a
throw-away NATS server."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong_runtime.events import add_event, envelope, first_delivery, outbox_table, processed_events_table

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
PAYMENT_SUCCEEDED = payment_events.PaymentSucceeded.DESCRIPTOR.full_name

metadata = MetaData()
outbox = outbox_table(metadata)
processed = processed_events_table(metadata)
payments = Table("payments", metadata, Column("id", String(64), primary_key=True))
#: One row per side effect performed (no unique key, so that a repeated side effect shows up as a second row).
effects = Table(
    "effects",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(64), nullable=False),
    Column("event_id", String(64), nullable=False),
)


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def commit_payment(sessions: async_sessionmaker[AsyncSession]) -> str:
    """A service-like change: a payment row and its event in one transaction. Returns the event id."""
    payment_id = uuid.uuid4().hex
    event = envelope(
        "payment",
        payment_events.PaymentSucceeded(payment_id=payment_id, amount_vnd=50_000),
        subject=payment_id,
        agency_id="agency-test",
    )
    async with sessions() as session, session.begin():
        await session.execute(insert(payments).values(id=payment_id))
        await add_event(session, outbox, event)
    return event.id


def payment_event() -> EventEnvelope:
    payment_id = uuid.uuid4().hex
    return envelope("payment", payment_events.PaymentSucceeded(payment_id=payment_id), subject=payment_id)


async def effect_counts(sessions: async_sessionmaker[AsyncSession], consumer: str) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(
            select(effects.c.event_id, func.count())
            .where(effects.c.consumer == consumer)
            .group_by(effects.c.event_id)
        )
        return {event_id: count for event_id, count in rows}


async def pending_outbox(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            or 0
        )


@dataclass
class Consumer:
    """A consumer whose side effect is a row in ``effects``; optionally crashes after committing it, or fails.

    ``idempotent=False`` leaves out :func:`first_delivery`: the control that shows a redelivery really happened.
    """

    sessions: async_sessionmaker[AsyncSession]
    name: str
    idempotent: bool = True
    broken: bool = False
    crash_after_commit: set[str] = field(default_factory=set)
    #: Event ids as delivered, and as handled (side effect committed or skipped as a duplicate).
    calls: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)

    async def __call__(self, event: EventEnvelope) -> None:
        self.calls.append(event.id)
        if self.broken:
            raise RuntimeError("handler bug")
        async with self.sessions() as session, session.begin():
            if not self.idempotent or await first_delivery(session, processed, self.name, event.id):
                await session.execute(insert(effects).values(consumer=self.name, event_id=event.id))
        self.done.append(event.id)
        if event.id in self.crash_after_commit:
            self.crash_after_commit.discard(event.id)
            raise ConnectionError("died after committing, before acknowledging")


async def until(
    condition: Callable[[], Awaitable[bool]] | Callable[[], bool], what: str, timeout: float = 15.0
) -> None:
    """Wait (bounded) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NatsServer:
    """A private nats-server with JetStream on a loopback port, which a test can kill and restart."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.store.parent / "nats-server.log", "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"nats-server exited with {self.process.returncode}") from None
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
