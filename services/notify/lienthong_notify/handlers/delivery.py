"""The delivery worker: claims due messages from the durable queue, hands them to a provider, records outcomes.

Crash safety: a claim is a lease (see adapters/queue.py); a message handed to a provider but not yet recorded
when the worker dies is sent again after the lease, with the same Message-ID / provider reference so the
receiver can drop the duplicate. Several claim loops run at once so that sending one batch overlaps claiming
and recording the next. Built by the composition root (``bootstrap.build_worker``); run inside the service
(``ServiceApp.background``) or alone (``python -m lienthong_notify.worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from .. import metrics
from ..domain.channels import Channel, Status
from ..domain.notifications import Claimed, Notification, Outcome, simulated_outcome
from .ports import Deps, UnitsOfWork
from .status_changes import after_moves

log = logging.getLogger("lienthong.notify.worker")


class Provider(Protocol):
    async def send(self, n: Notification) -> Outcome: ...


class DeliveryWorker:
    """Delivers queued notifications through ``providers`` (one per channel)."""

    def __init__(
        self,
        units: UnitsOfWork,
        deps: Deps,
        providers: dict[Channel, Provider],
        *,
        batch_size: int = 200,
        loops: int = 2,
        idle_s: float = 0.2,
        lease_s: float = 60.0,
    ) -> None:
        self.units = units
        self.deps = deps
        self.providers = providers
        self.retry = deps.retry
        self.batch_size = batch_size
        self.loops = max(1, loops)
        self.idle_s = idle_s
        self.lease_s = lease_s
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
        now = self.deps.clock()
        async with self.units() as uow:
            if time.monotonic() - self._counted_at >= 5.0:  # the depth gauge: a COUNT at most every 5 s
                self._counted_at = time.monotonic()
                metrics.QUEUE_DEPTH.set(await uow.deliveries.pending())
            claimed = await uow.deliveries.claim(self.batch_size, self.lease_s, now)
            if claimed:
                fresh = [c.notification.id for c in claimed if c.notification.status is Status.CREATED]
                moved = await uow.notifications.move(fresh, Status.SENDING, now)
                await after_moves(uow, moved, now)
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
        now = self.deps.clock()
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
        async with self.units() as uow:
            moved: list[Notification] = []
            for (status, reason, provider), ids in finals.items():
                moved += await uow.notifications.move(
                    ids, status, now, reason=reason, provider=provider, attempted=True
                )
                await uow.deliveries.done(ids)
            for c, outcome in handed:
                await uow.notifications.handed_over(
                    c.notification.id, outcome.provider, outcome.provider_reference
                )
            await uow.deliveries.done([c.notification.id for c, _ in handed])
            for c, outcome in retries:
                due = now + timedelta(seconds=self.retry.delay(c.attempts))
                await uow.deliveries.retry_later(
                    c.notification.id, min(due, c.give_up_at), outcome.reason, outcome.recipient_unavailable
                )
            await uow.notifications.count_attempt([c.notification.id for c, _ in retries])
            await after_moves(uow, moved, now)
        if retries:
            log.info("delivery attempts will be retried", extra={"count": len(retries)})


def _outcome(outcome: Outcome, gave_up: bool) -> str:
    if outcome.status is None:
        return "GAVE_UP" if gave_up else "RETRY"
    return "HANDED_OVER" if outcome.status is Status.SENDING else outcome.status.name
