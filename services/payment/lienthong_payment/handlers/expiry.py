"""Housekeeping in the background: expiry of unfinished payments (batch by batch, one transaction per batch)
and recovery of refunds left SUBMITTED."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from ..adapters import payments_repo as repo
from ..domain import lifecycle
from . import Deps, events
from .refunds import retry_stale_refunds

log = logging.getLogger("lienthong.payment.expiry")


async def expire_due(deps: Deps, now: datetime | None = None, *, batch: int = 200) -> int:
    """Expire every unfinished payment whose time is up. Returns how many expired."""
    now = now or deps.clock()
    total = 0
    while True:
        expired = 0
        async with deps.db.begin() as conn:
            for payment_id in await repo.due_for_expiry(conn, now, batch):
                payment = await repo.get(conn, deps.keyring, payment_id, lock=True)
                if payment is not None and lifecycle.expire(payment, now):
                    await repo.save(conn, payment)
                    await events.payment_finished(conn, deps.keyring, payment)
                    expired += 1
        total += expired
        if expired:
            deps.wake()
        if expired < batch:
            return total


class ExpiryJob:
    """Every ``interval`` seconds: :func:`expire_due`, and refunds stuck in SUBMITTED for more than
    ``stale_refund_after`` are driven again (a background job of the service)."""

    def __init__(
        self, deps: Deps, interval: float, stale_refund_after: timedelta = timedelta(minutes=5)
    ) -> None:
        self.deps = deps
        self.interval = interval
        self.stale_refund_after = stale_refund_after

    async def run(self) -> None:
        while True:
            count = await expire_due(self.deps)
            if count:
                log.info("payments expired", extra={"count": count})
            retried = await retry_stale_refunds(self.deps, self.stale_refund_after)
            if retried:
                log.warning("stale refunds driven again", extra={"count": retried})
            await asyncio.sleep(self.interval)
