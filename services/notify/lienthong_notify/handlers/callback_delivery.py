"""Delivering queued status callbacks: POST each due one (signed by the poster), retry with backoff, give up
after ``max_attempts``. A callback whose agency removed its setting is dropped."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from ..domain.callbacks import CallbackDue, give_up
from ..domain.notifications import RetryPolicy
from .ports import Deps, UnitsOfWork

log = logging.getLogger("lienthong.notify.callbacks")


class CallbackPoster(Protocol):
    """POSTs a signed body to an agency's URL (adapters/callback_sender.py); True when it answered 2xx."""

    async def post(self, url: str, secret: str, body: bytes) -> bool: ...


@dataclass(frozen=True)
class CallbackSchedule:
    timeout_s: float = 5.0
    max_attempts: int = 10
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(base_s=2.0, max_s=600.0))
    batch: int = 50


async def deliver_due(
    units: UnitsOfWork, deps: Deps, poster: CallbackPoster, schedule: CallbackSchedule
) -> int:
    """One pass: claim due callbacks (a lease of three timeouts), POST them, record the outcomes."""
    async with units() as uow:
        due = await uow.callbacks.claim(schedule.batch, schedule.timeout_s * 3, deps.clock())
    await asyncio.gather(*(_deliver(units, deps, poster, schedule, d) for d in due))
    return len(due)


async def _deliver(
    units: UnitsOfWork, deps: Deps, poster: CallbackPoster, schedule: CallbackSchedule, due: CallbackDue
) -> None:
    async with units() as uow:
        config = await uow.callbacks.get(due.agency_id)
    ok = config is None or await poster.post(config.url, config.secret, due.payload)
    async with units() as uow:
        if ok or give_up(due.attempts + 1, schedule.max_attempts):
            if not ok:
                log.warning("callback dropped after retries", extra={"agency_id": due.agency_id})
            await uow.callbacks.delivered(due.id)
        else:
            later = deps.clock() + timedelta(seconds=schedule.retry.delay(due.attempts))
            await uow.callbacks.retry_at(due.id, later)


async def deliver_forever(
    units: UnitsOfWork, deps: Deps, poster: CallbackPoster, schedule: CallbackSchedule, idle_s: float = 0.5
) -> None:
    """Background job of the service."""
    while True:
        try:
            sent = await deliver_due(units, deps, poster, schedule)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("callback pass failed")
            sent = 0
        if sent == 0:
            await asyncio.sleep(idle_s)
