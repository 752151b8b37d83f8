"""The outbox relay: publishes each service's committed outbox rows to the bus, in order, surviving outages."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope

from . import metrics
from .bus import Bus

log = logging.getLogger("lienthong.events")


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
        service: str = "",
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.bus = bus
        self.interval = interval
        self.batch = batch
        self.delete_published = delete_published
        #: Label of this relay's metrics (the service whose outbox it drains).
        self.service = service or outbox.name
        self._counted_at = 0.0
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
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(done))
        if failure is not None:
            metrics.OUTBOX_FAILURES.labels(self.service).inc()
            raise failure[1]
        return len(done)

    async def count_pending(self) -> int:
        """Events waiting in the outbox (exported as ``lienthong_outbox_pending_events``)."""
        async with self.sessions() as session:
            query = select(func.count()).select_from(self.outbox).where(self.outbox.c.published_at.is_(None))
            count = int((await session.execute(query)).scalar_one())
        metrics.OUTBOX_PENDING.labels(self.service).set(count)
        return count

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
            if time.monotonic() - self._counted_at >= 5.0:  # the backlog gauge, at most every 5 s
                self._counted_at = time.monotonic()
                with contextlib.suppress(Exception):  # the pass below logs a database outage
                    await self.count_pending()
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
