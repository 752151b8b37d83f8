"""The delivery worker: claims due messages from the durable queue, hands them to a provider, records outcomes.

Crash safety: a claim is a lease (see adapters/queue.py); a message handed to a provider but not yet recorded
when the worker dies is sent again after the lease, with the same Message-ID / provider reference so the
receiver can drop the duplicate. Several claim loops run at once so that sending one batch overlaps claiming
and recording the next. Run inside the service (``ServiceApp.background``) or standalone:
``python -m lienthong_notify.worker`` (same ``LIENTHONG_NOTIFY_*`` settings; prints ``READY``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import metrics
from .adapters import notification_store, published, queue
from .adapters.personal_fields import PersonalFields
from .adapters.queue import Claimed
from .adapters.tables import notifications
from .domain.channels import Channel, Status
from .domain.notifications import Notification, Outcome, RetryPolicy, simulated_outcome
from .handlers.context import Connect, utcnow

log = logging.getLogger("lienthong.notify.worker")


class Provider(Protocol):
    async def send(self, n: Notification) -> Outcome: ...


class DeliveryWorker:
    """Delivers queued notifications through ``providers`` (one per channel)."""

    def __init__(
        self,
        connect: Connect,
        providers: dict[Channel, Provider],
        retry: RetryPolicy,
        *,
        batch_size: int = 200,
        loops: int = 2,
        idle_s: float = 0.2,
        lease_s: float = 60.0,
        personal: PersonalFields,
    ) -> None:
        self.connect = connect
        self.providers = providers
        self.retry = retry
        self.batch_size = batch_size
        self.loops = max(1, loops)
        self.idle_s = idle_s
        self.lease_s = lease_s
        self.personal = personal
        self._wake = asyncio.Event()
        self._counted_at = 0.0

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled."""
        await asyncio.gather(*(self._loop() for _ in range(self.loops)))

    async def _loop(self) -> None:
        while True:
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery pass failed; retrying")
                handled = 0
            if handled < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.idle_s)
                self._wake.clear()

    async def run_once(self) -> int:
        """Claim one batch, attempt each message, record the outcomes. Returns how many were claimed."""
        now = utcnow()
        async with self.connect() as session, session.begin():
            if time.monotonic() - self._counted_at >= 5.0:  # the depth gauge: a COUNT at most every 5 s
                self._counted_at = time.monotonic()
                metrics.QUEUE_DEPTH.set(await queue.pending(session))
            claimed = await queue.claim(session, self.batch_size, self.lease_s, now, self.personal)
            if claimed:
                fresh = [c.notification.id for c in claimed if c.notification.status is Status.CREATED]
                moved = await notification_store.move(
                    session, fresh, Status.SENDING, now, personal=self.personal
                )
                await published.after_moves(session, moved, now)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._attempt(c.notification) for c in claimed))
        await self._record(claimed, outcomes)
        return len(claimed)

    async def _attempt(self, n: Notification) -> Outcome:
        if n.test:
            return simulated_outcome(n.simulated_outcome)
        try:
            return await self.providers[n.channel].send(n)
        except Exception as exc:  # a provider bug must not lose the message: retry it
            log.exception("provider raised", extra={"notification_id": n.id})
            return Outcome(None, reason=f"PROVIDER_ERROR: {type(exc).__name__}")

    async def _record(self, claimed: Sequence[Claimed], outcomes: Sequence[Outcome]) -> None:
        now = utcnow()
        finals: dict[tuple[Status, str, str], list[str]] = defaultdict(list)
        handed: list[tuple[Claimed, Outcome]] = []
        retries: list[tuple[Claimed, Outcome]] = []
        for c, outcome in zip(claimed, outcomes, strict=True):
            metrics.DELIVERIES.labels(
                c.notification.channel.value, _outcome(outcome, now >= c.give_up_at)
            ).inc()
            if outcome.status is None and now >= c.give_up_at:
                reason = outcome.reason.split(":")[0] or "GAVE_UP"
                finals[(self.retry.after_failure(outcome), reason, outcome.provider)].append(
                    c.notification.id
                )
            elif outcome.status is None:
                retries.append((c, outcome))
            elif outcome.status is Status.SENDING:
                handed.append((c, outcome))
            else:
                finals[(outcome.status, outcome.reason, outcome.provider)].append(c.notification.id)
        async with self.connect() as session, session.begin():
            moved: list[Notification] = []
            for (status, reason, provider), ids in finals.items():
                moved += await notification_store.move(
                    session,
                    ids,
                    status,
                    now,
                    reason=reason,
                    provider=provider,
                    attempted=True,
                    personal=self.personal,
                )
                await queue.done(session, ids)
            for c, outcome in handed:
                await _handed_over(session, c.notification.id, outcome)
            await queue.done(session, [c.notification.id for c, _ in handed])
            for c, outcome in retries:
                due = now + timedelta(seconds=self.retry.delay(c.attempts))
                await queue.retry_later(
                    session,
                    c.notification.id,
                    min(due, c.give_up_at),
                    outcome.reason,
                    outcome.recipient_unavailable,
                )
            await notification_store.count_attempt(session, [c.notification.id for c, _ in retries])
            await published.after_moves(session, moved, now)
        if retries:
            log.info("delivery attempts will be retried", extra={"count": len(retries)})


def _outcome(outcome: Outcome, gave_up: bool) -> str:
    if outcome.status is None:
        return "GAVE_UP" if gave_up else "RETRY"
    return "HANDED_OVER" if outcome.status is Status.SENDING else outcome.status.name


async def _handed_over(session: AsyncConnection, notification_id: str, outcome: Outcome) -> None:
    """Record which provider took an SMS (its receipt moves the status on)."""
    await session.execute(
        update(notifications)
        .where(notifications.c.id == notification_id)
        .values(
            provider=outcome.provider,
            provider_reference=outcome.provider_reference,
            attempt_count=notifications.c.attempt_count + 1,
        )
    )


async def main() -> int:
    """Standalone worker process: deliver until SIGTERM/SIGINT."""
    import signal

    from lienthong_runtime.db import create_engine
    from lienthong_runtime.logs import configure_logging

    from .adapters.contact_store import load_contact_book
    from .bootstrap import build_providers, load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    engine = create_engine(settings.database_url)
    providers, closers = build_providers(settings, engine.connect)
    worker = DeliveryWorker(
        engine.connect,
        providers,
        RetryPolicy(settings.retry_base_s, settings.retry_max_s, settings.give_up_s),
        batch_size=settings.worker_batch_size,
        loops=settings.worker_loops,
        idle_s=settings.worker_idle_s,
        lease_s=settings.worker_lease_s,
        personal=PersonalFields.of(load_contact_book(settings)),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(worker.run())
    print("READY", flush=True)
    await stop.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    for close in closers:
        await close()
    await engine.dispose()
    return 0


def _run() -> Any:
    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


if __name__ == "__main__":
    raise SystemExit(_run())
