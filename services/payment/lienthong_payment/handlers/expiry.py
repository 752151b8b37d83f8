"""Housekeeping in the background: expiry of unfinished payments (batch by batch, one transaction per batch)
and recovery of refunds left SUBMITTED."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ..domain import lifecycle
from . import events
from .ports import PaymentUnitOfWork, Services
from .refunds import retry_stale_refunds

log = logging.getLogger("lienthong.payment.expiry")


async def expire_due(
    uow: PaymentUnitOfWork, services: Services, now: datetime | None = None, *, batch: int = 200
) -> int:
    """Expire every unfinished payment whose time is up. Returns how many expired."""
    now = now or services.clock()
    total = 0
    while True:
        expired = 0
        async with uow:
            for payment_id in await uow.payments.due_for_expiry(now, batch):
                payment = await uow.payments.get(payment_id, lock=True)
                if payment is not None and lifecycle.expire(payment, now):
                    await uow.payments.save(payment)
                    events.payment_finished(uow, payment)
                    expired += 1
        total += expired
        services.woken_by(uow)
        if expired < batch:
            return total


class ExpiryJob:
    """Every ``interval`` seconds: :func:`expire_due`, and refunds stuck in SUBMITTED for more than
    ``stale_refund_after`` are driven again (a background job of the service)."""

    def __init__(
        self,
        uow_factory: Callable[[], PaymentUnitOfWork],
        services: Services,
        interval: float,
        stale_refund_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self.uow_factory, self.services = uow_factory, services
        self.interval = interval
        self.stale_refund_after = stale_refund_after

    async def run(self) -> None:
        while True:
            count = await expire_due(self.uow_factory(), self.services)
            if count:
                log.info("payments expired", extra={"count": count})
            retried = await retry_stale_refunds(self.uow_factory(), self.services, self.stale_refund_after)
            if retried:
                log.warning("stale refunds driven again", extra={"count": retried})
            await asyncio.sleep(self.interval)
