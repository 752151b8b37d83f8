"""Payments left STARTED (or SUBMITTED) because their provider's notification never arrived or was never applied
(the process was killed just after StartPayment, the database was down, the provider lost it): ask the provider.

Two ways, run by :class:`StuckPaymentJob` on a schedule and by ``lienthong payment resolve-stuck``:

* the sandbox re-sends its notification (as VNPay re-sends its IPN until answered "00"/"02") for payments
  unfinished for more than ``redeliver_after``;
* every provider is queried (VNPay's ``querydr``; the sandbox's scenario) for payments unfinished for more than
  ``older_than``, and a final outcome goes through the notification intake like a notification would
  (verified, de-duplicated, applied in one transaction with its ledger entries and event).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import providers as p
from ..domain.notifications import Disposition
from .notifications import NotificationIntake
from .ports import PaymentUnitOfWork, Services

log = logging.getLogger("lienthong.payment.resolve")


@dataclass
class Resolution:
    """Counts of one run."""

    checked: int = 0
    redelivered: int = 0
    resolved: int = 0
    still_open: int = 0
    provider_unavailable: int = 0


async def resolve_stuck(
    uow: PaymentUnitOfWork,
    services: Services,
    intake: NotificationIntake,
    older_than: timedelta,
    *,
    redeliver_after: timedelta | None = None,
    now: datetime | None = None,
    limit: int = 200,
) -> Resolution:
    """One pass over at most ``limit`` payments unfinished at their provider for longer than the thresholds."""
    now = now or services.clock()
    oldest = min(older_than, redeliver_after) if redeliver_after is not None else older_than
    async with uow.autocommit():
        ids = await uow.payments.started_before(now - oldest, limit)
    result = Resolution()
    for payment_id in ids:
        async with uow.autocommit():
            payment = await uow.payments.get(payment_id)
        provider = services.providers.get(payment.provider) if payment is not None else None
        if payment is None or provider is None or payment.state.final:
            continue
        result.checked += 1
        age = now - payment.update_time if payment.update_time else older_than
        if redeliver_after is not None and age >= redeliver_after and await provider.redeliver(payment):
            result.redelivered += 1
            continue
        if age < older_than:
            continue
        try:
            note = await provider.query(payment)
        except p.ProviderUnavailable as exc:
            log.warning("provider query failed: %s", exc, extra={"provider": payment.provider})
            result.provider_unavailable += 1
            continue
        if note is None:
            result.still_open += 1
        elif await intake.apply(note) is Disposition.APPLIED:
            result.resolved += 1
    return result


class StuckPaymentJob:
    """Every ``interval`` seconds, :func:`resolve_stuck` (a background job of the service)."""

    def __init__(
        self,
        uow_factory: Callable[[], PaymentUnitOfWork],
        services: Services,
        intake: NotificationIntake,
        interval: float,
        older_than: timedelta,
        redeliver_after: timedelta,
    ) -> None:
        self.uow_factory, self.services = uow_factory, services
        self.intake, self.interval = intake, interval
        self.older_than, self.redeliver_after = older_than, redeliver_after

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            done = await resolve_stuck(
                self.uow_factory(),
                self.services,
                self.intake,
                self.older_than,
                redeliver_after=self.redeliver_after,
            )
            if done.redelivered or done.resolved:
                log.info(
                    "stuck payments resolved",
                    extra={
                        "redelivered": done.redelivered,
                        "resolved": done.resolved,
                        "checked": done.checked,
                    },
                )
