"""Read the agency's notifications, and apply provider receipts (forward-only)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from lienthong_runtime.errors import NotFound

from ..adapters import notification_store, published
from ..adapters.notification_store import NotificationFilter
from ..domain.channels import Status
from ..domain.notifications import Notification
from .context import Notify, utcnow

log = logging.getLogger("lienthong.notify")


async def get(notify: Notify, agency_id: str, notification_id: str) -> Notification:
    """One of the agency's notifications; NOT_FOUND for unknown ids and other agencies' notifications."""
    async with notify.connect() as session:
        found = (
            await notification_store.get(session, agency_id, notification_id, notify.personal)
            if notification_id
            else None
        )
    if found is None:
        raise NotFound("no such notification", reason="NOTIFICATION_NOT_FOUND")
    return found


async def list_page(
    notify: Notify, agency_id: str, flt: NotificationFilter, before_id: str | None, limit: int
) -> list[Notification]:
    async with notify.connect() as session:
        return await notification_store.list_page(session, agency_id, flt, before_id, limit, notify.personal)


async def apply_receipt(notify: Notify, notification_id: str, status: Status, reason: str = "") -> bool:
    """Apply a provider's receipt. A receipt that would move a final status (late, duplicate or out of order)
    changes nothing. Returns whether the status moved."""
    now = utcnow()
    async with notify.connect() as session, session.begin():
        moved = await notification_store.move(
            session,
            [notification_id],
            status,
            now,
            reason=reason or _reason(status),
            personal=notify.personal,
        )
        await published.after_moves(session, moved, now)
    if not moved:
        log.info("receipt ignored: not a forward move", extra={"notification_id": notification_id})
    return bool(moved)


def _reason(status: Status) -> str:
    return {
        Status.TEMPORARY_FAILURE: "RECIPIENT_UNAVAILABLE",
        Status.PERMANENT_FAILURE: "RECIPIENT_UNKNOWN",
    }.get(status, "")


async def expire_unconfirmed(notify: Notify) -> int:
    """SMS whose provider never sent a receipt within ``sms_receipt_timeout_s``: final TEMPORARY_FAILURE."""
    now = utcnow()
    cutoff = now - timedelta(seconds=notify.settings.sms_receipt_timeout_s)
    async with notify.connect() as session, session.begin():
        moved = await notification_store.expire_unconfirmed_sms(session, cutoff, now, notify.personal)
        await published.after_moves(session, moved, now)
    return len(moved)


async def expire_unconfirmed_forever(notify: Notify, every_s: float = 60.0) -> None:
    """Background job of the service."""
    while True:
        try:
            await expire_unconfirmed(notify)
        except Exception:
            log.exception("receipt timeout sweep failed")
        await asyncio.sleep(every_s)
