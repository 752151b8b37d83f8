"""Read the agency's notifications, and apply provider receipts (forward-only)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from lienthong_runtime.errors import NotFound

from ..domain.channels import Status
from ..domain.notifications import Notification, NotificationFilter
from .ports import Caller, Deps, NotifyUnitOfWork, UnitsOfWork
from .status_changes import after_moves

log = logging.getLogger("lienthong.notify")


async def get(uow: NotifyUnitOfWork, caller: Caller, *, notification_id: str) -> Notification:
    """One of the agency's notifications; NOT_FOUND for unknown ids and other agencies' notifications."""
    async with uow:
        found = await uow.notifications.get(caller.agency_id, notification_id) if notification_id else None
    if found is None:
        raise NotFound("no such notification", reason="NOTIFICATION_NOT_FOUND")
    return found


async def list_page(
    uow: NotifyUnitOfWork, caller: Caller, *, flt: NotificationFilter, before_id: str | None, limit: int
) -> list[Notification]:
    """The agency's notifications, newest first, strictly before ``before_id``."""
    async with uow:
        return await uow.notifications.list_page(caller.agency_id, flt, before_id, limit)


async def apply_receipt(
    uow: NotifyUnitOfWork, deps: Deps, *, notification_id: str, status: Status, reason: str = ""
) -> bool:
    """Apply a provider's receipt. A receipt that would move a final status (late, duplicate or out of order)
    changes nothing. Returns whether the status moved."""
    now = deps.clock()
    async with uow:
        moved = await uow.notifications.move([notification_id], status, now, reason=reason or _reason(status))
        await after_moves(uow, moved, now)
    if not moved:
        log.info("receipt ignored: not a forward move", extra={"notification_id": notification_id})
    return bool(moved)


def _reason(status: Status) -> str:
    return {
        Status.TEMPORARY_FAILURE: "RECIPIENT_UNAVAILABLE",
        Status.PERMANENT_FAILURE: "RECIPIENT_UNKNOWN",
    }.get(status, "")


async def expire_unconfirmed(uow: NotifyUnitOfWork, deps: Deps) -> int:
    """SMS whose provider never sent a receipt within ``sms_receipt_timeout_s``: final TEMPORARY_FAILURE."""
    now = deps.clock()
    cutoff = now - timedelta(seconds=deps.sms_receipt_timeout_s)
    async with uow:
        moved = await uow.notifications.expire_unconfirmed_sms(cutoff, now)
        await after_moves(uow, moved, now)
    return len(moved)


async def expire_unconfirmed_forever(units: UnitsOfWork, deps: Deps, every_s: float = 60.0) -> None:
    """Background job of the service."""
    while True:
        try:
            await expire_unconfirmed(units(), deps)
        except Exception:
            log.exception("receipt timeout sweep failed")
        await asyncio.sleep(every_s)
