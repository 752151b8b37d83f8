"""The durable delivery queue on the database.

Claims use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers take disjoint rows; on SQLite the
runtime's ``BEGIN IMMEDIATE`` serialises them. A claim is a lease: it pushes ``due_at`` to the end of the lease,
so rows of a worker that died come due again without anyone cleaning up. One-off messages (priority 0) are
always claimed before bulk ones (priority 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.notifications import Claimed
from ..handlers.ports import DeliveryQueue
from .notification_store import from_row
from .personal_fields import PersonalFields
from .tables import deliveries, notifications


class SqlDeliveryQueue(DeliveryQueue):
    """The ``deliveries`` table on one transaction's connection."""

    def __init__(self, conn: AsyncConnection, personal: PersonalFields) -> None:
        self.conn = conn
        self.personal = personal

    async def claim(self, limit: int, lease_s: float, now: datetime) -> list[Claimed]:
        """Lease up to ``limit`` due entries (one-off first) and return them with their notifications."""
        lease_end = now + timedelta(seconds=lease_s)
        due = (
            select(deliveries.c.notification_id)
            .where(deliveries.c.due_at <= now)
            .order_by(deliveries.c.priority, deliveries.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        leased = (
            await self.conn.execute(
                update(deliveries)
                .where(deliveries.c.notification_id.in_(due.scalar_subquery()))
                .values(due_at=lease_end, claimed_until=lease_end)
                .returning(
                    deliveries.c.notification_id,
                    deliveries.c.attempts,
                    deliveries.c.give_up_at,
                    deliveries.c.recipient_unavailable,
                )
            )
        ).all()
        if not leased:
            return []
        entries = {row.notification_id: row for row in leased}
        rows = (
            await self.conn.execute(select(notifications).where(notifications.c.id.in_(list(entries))))
        ).all()
        claimed = []
        for row in rows:
            entry = entries[row.id]
            claimed.append(
                Claimed(
                    from_row(row._mapping, self.personal),
                    entry.attempts,
                    _aware(entry.give_up_at),
                    entry.recipient_unavailable,
                )
            )
        claimed.sort(key=lambda c: c.notification.id)
        return claimed

    async def done(self, ids: Sequence[str]) -> None:
        """Take entries off the queue (their notification reached a provider or a final status)."""
        if ids:
            await self.conn.execute(delete(deliveries).where(deliveries.c.notification_id.in_(list(ids))))

    async def retry_later(
        self, notification_id: str, due_at: datetime, error: str, recipient_unavailable: bool
    ) -> None:
        """Release an entry for another attempt at ``due_at``."""
        await self.conn.execute(
            update(deliveries)
            .where(deliveries.c.notification_id == notification_id)
            .values(
                due_at=due_at,
                claimed_until=None,
                attempts=deliveries.c.attempts + 1,
                last_error=error[:100],
                recipient_unavailable=recipient_unavailable,
            )
        )

    async def pending(self) -> int:
        """Entries still on the queue (claimed or not)."""
        return int((await self.conn.execute(select(func.count()).select_from(deliveries))).scalar_one())


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
