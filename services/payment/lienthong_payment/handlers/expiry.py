"""Expiry of unfinished payments: a background job, batch by batch, one transaction per batch."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from ..adapters import payments_repo as repo
from ..domain import lifecycle
from . import Deps, events

log = logging.getLogger("lienthong.payment.expiry")


async def expire_due(deps: Deps, now: datetime | None = None, *, batch: int = 200) -> int:
    """Expire every unfinished payment whose time is up. Returns how many expired."""
    now = now or deps.clock()
    total = 0
    while True:
        expired = 0
        async with deps.db.begin() as conn:
            for payment_id in await repo.due_for_expiry(conn, now, batch):
                payment = await repo.get(conn, payment_id, lock=True)
                if payment is not None and lifecycle.expire(payment, now):
                    await repo.save(conn, payment)
                    await events.payment_finished(conn, payment)
                    expired += 1
        total += expired
        if expired:
            deps.wake()
        if expired < batch:
            return total


class ExpiryJob:
    """Runs :func:`expire_due` every ``interval`` seconds (a background job of the service)."""

    def __init__(self, deps: Deps, interval: float) -> None:
        self.deps = deps
        self.interval = interval

    async def run(self) -> None:
        while True:
            count = await expire_due(self.deps)
            if count:
                log.info("payments expired", extra={"count": count})
            await asyncio.sleep(self.interval)
