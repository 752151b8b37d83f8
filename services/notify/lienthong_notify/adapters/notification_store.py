"""Notifications in the database, always scoped to one agency, and their forward-only status changes.

A notification's recipient, subject and body are personal data (an address, a name, a payment's details): they
are stored only sealed (:class:`PersonalFields`, AES-256-GCM under notify's keyring, bound to the notification
id), never in clear; the clear columns of rows written before sealing are read while they remain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.channels import Channel, Status, earlier_than
from ..domain.notifications import NewNotification, Notification, NotificationFilter
from ..domain.sms import SmsEncoding, SmsSegments
from ..handlers.ports import NotificationRepository
from .personal_fields import PersonalFields
from .tables import deliveries, notifications


def from_row(m: Any, personal: PersonalFields) -> Notification:
    clear = personal.open(m)
    sms = None
    if m["sms_encoding"]:
        sms = SmsSegments(SmsEncoding(m["sms_encoding"]), m["sms_characters"], m["sms_segments"])
    return Notification(
        id=m["id"],
        agency_id=m["agency_id"],
        channel=Channel(m["channel"]),
        template_id=m["template_id"],
        template_version=m["template_version"],
        recipient=clear["recipient"],
        reference=m["reference"],
        status=Status(m["status"]),
        subject=clear["subject"],
        body=clear["body"],
        sms=sms,
        batch_id=m["batch_id"],
        test=m["test"],
        simulated_outcome=m["simulated_outcome"],
        attempt_count=m["attempt_count"],
        failure_reason=m["failure_reason"],
        create_time=m["create_time"],
        send_time=m["send_time"],
        complete_time=m["complete_time"],
    )


def _row(new: NewNotification, personal: PersonalFields) -> dict[str, Any]:
    n = new.notification
    return {
        **personal.seal(n),
        "id": n.id,
        "agency_id": n.agency_id,
        "channel": n.channel.value,
        "template_id": n.template_id,
        "template_version": n.template_version,
        "reference": n.reference,
        "status": n.status.value,
        "sms_encoding": n.sms.encoding.value if n.sms else None,
        "sms_characters": n.sms.character_count if n.sms else None,
        "sms_segments": n.sms.segment_count if n.sms else None,
        "batch_id": n.batch_id,
        "test": n.test,
        "simulated_outcome": n.simulated_outcome,
        "attempt_count": 0,
        "failure_reason": "",
        "provider": "",
        "provider_reference": "",
        "idempotency_key": new.idempotency_key,
        "fingerprint": new.fingerprint,
        "create_time": n.create_time,
        "send_time": None,
        "complete_time": None,
    }


def _queue_row(i: NewNotification) -> dict[str, Any]:
    return {
        "notification_id": i.notification.id,
        "priority": i.priority,
        "due_at": i.notification.create_time,
        "claimed_until": None,
        "attempts": 0,
        "give_up_at": i.give_up_at,
        "last_error": "",
        "recipient_unavailable": False,
    }


class SqlNotificationRepository(NotificationRepository):
    """Notifications on one transaction's connection."""

    def __init__(self, conn: AsyncConnection, personal: PersonalFields) -> None:
        self.conn = conn
        self.personal = personal

    async def add(self, items: Sequence[NewNotification]) -> None:
        """Store notifications and put them on the delivery queue (one statement each, however many)."""
        if not items:
            return
        await self.conn.execute(insert(notifications), [_row(i, self.personal) for i in items])
        await self.conn.execute(insert(deliveries), [_queue_row(i) for i in items])

    async def insert_unless_key_used(self, items: Sequence[NewNotification]) -> set[str]:
        """Store notifications whose idempotency key is unused (ON CONFLICT DO NOTHING, one statement for all);
        returns the ids stored. Queue them with :func:`enqueue` once they are sure to be kept."""
        if not items:
            return set()
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(notifications)
            .on_conflict_do_nothing(index_elements=["agency_id", "idempotency_key"])
            .returning(notifications.c.id)
        )
        result = await self.conn.execute(statement, [_row(i, self.personal) for i in items])
        return {row.id for row in result}

    async def enqueue(self, items: Sequence[NewNotification]) -> None:
        if items:
            await self.conn.execute(insert(deliveries), [_queue_row(i) for i in items])

    async def discard(self, ids: Sequence[str]) -> None:
        """Remove notifications stored earlier in this transaction that a limit then refused."""
        if ids:
            await self.conn.execute(delete(notifications).where(notifications.c.id.in_(list(ids))))

    async def get(self, agency_id: str, notification_id: str) -> Notification | None:
        row = (
            await self.conn.execute(
                select(notifications).where(
                    notifications.c.id == notification_id, notifications.c.agency_id == agency_id
                )
            )
        ).first()
        return from_row(row._mapping, self.personal) if row else None

    async def by_idempotency_keys(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[Notification, str]]:
        """Notifications already sent with any of the (agency, key) pairs, with their request fingerprints."""
        if not keys:
            return {}
        rows = (
            await self.conn.execute(
                select(notifications).where(
                    notifications.c.agency_id.in_({a for a, _ in keys}),
                    notifications.c.idempotency_key.in_({k for _, k in keys}),
                )
            )
        ).all()
        found = {
            (r.agency_id, r.idempotency_key): (from_row(r._mapping, self.personal), r.fingerprint)
            for r in rows
        }
        return {pair: found[pair] for pair in keys if pair in found}

    async def list_page(
        self,
        agency_id: str,
        flt: NotificationFilter,
        before_id: str | None,
        limit: int,
    ) -> list[Notification]:
        """Newest first (ids sort by creation time), strictly before ``before_id``."""
        query = select(notifications).where(notifications.c.agency_id == agency_id)
        if flt.statuses:
            query = query.where(notifications.c.status.in_([s.value for s in flt.statuses]))
        if flt.channel is not None:
            query = query.where(notifications.c.channel == flt.channel.value)
        if flt.reference:
            query = query.where(notifications.c.reference == flt.reference)
        if flt.batch_id:
            query = query.where(notifications.c.batch_id == flt.batch_id)
        if before_id:
            query = query.where(notifications.c.id < before_id)
        rows = (await self.conn.execute(query.order_by(notifications.c.id.desc()).limit(limit))).all()
        return [from_row(r._mapping, self.personal) for r in rows]

    async def list_for_recipients(
        self,
        recipients: Sequence[str],
        before_id: str | None,
        limit: int,
    ) -> list[Notification]:
        """Real (not test) notifications to any of ``recipients``, from every agency, newest first: found by the
        recipient's blind index (sealed rows) or, for rows written before sealing, by the clear column."""
        digests = [d for d in (self.personal.recipient_index(r) for r in recipients) if d is not None]
        match = or_(
            notifications.c.recipient_index.in_(digests),
            and_(notifications.c.sealed.is_(None), notifications.c.recipient.in_(list(recipients))),
        )
        query = select(notifications).where(match, notifications.c.test.is_(False))
        if before_id:
            query = query.where(notifications.c.id < before_id)
        rows = (await self.conn.execute(query.order_by(notifications.c.id.desc()).limit(limit))).all()
        return [from_row(r._mapping, self.personal) for r in rows]

    async def status_counts(self, agency_id: str, batch_id: str) -> dict[Status, int]:
        rows = (
            await self.conn.execute(
                select(notifications.c.status, func.count())
                .where(notifications.c.agency_id == agency_id, notifications.c.batch_id == batch_id)
                .group_by(notifications.c.status)
            )
        ).all()
        return {Status(status): count for status, count in rows}

    async def move(
        self,
        ids: Sequence[str],
        target: Status,
        now: datetime,
        *,
        reason: str = "",
        provider: str | None = None,
        attempted: bool = False,
    ) -> list[Notification]:
        """Move notifications to ``target`` where that is forward; returns those that moved (others are left)."""
        if not ids:
            return []
        values: dict[str, Any] = {"status": target.value}
        if target is Status.SENDING:
            values["send_time"] = func.coalesce(notifications.c.send_time, now)
        if target.final:
            values["complete_time"] = now
            values["failure_reason"] = reason
        if provider is not None:
            values["provider"] = provider
        if attempted:
            values["attempt_count"] = notifications.c.attempt_count + 1
        statement = (
            update(notifications)
            .where(
                notifications.c.id.in_(list(ids)),
                notifications.c.status.in_([s.value for s in earlier_than(target)]),
            )
            .values(**values)
            .returning(*notifications.c)
        )
        return [from_row(r._mapping, self.personal) for r in (await self.conn.execute(statement)).all()]

    async def handed_over(self, notification_id: str, provider: str, provider_reference: str) -> None:
        await self.conn.execute(
            update(notifications)
            .where(notifications.c.id == notification_id)
            .values(
                provider=provider,
                provider_reference=provider_reference,
                attempt_count=notifications.c.attempt_count + 1,
            )
        )

    async def count_attempt(self, ids: Sequence[str]) -> None:
        if ids:
            await self.conn.execute(
                update(notifications)
                .where(notifications.c.id.in_(list(ids)))
                .values(attempt_count=notifications.c.attempt_count + 1)
            )

    async def expire_unconfirmed_sms(
        self, sent_before: datetime, now: datetime, limit: int = 500
    ) -> list[Notification]:
        """SMS handed to a provider before ``sent_before`` whose receipt never came: TEMPORARY_FAILURE."""
        stale = (
            select(notifications.c.id)
            .where(
                notifications.c.channel == Channel.SMS.value,
                notifications.c.status == Status.SENDING.value,
                notifications.c.provider_reference != "",
                notifications.c.send_time < sent_before,
            )
            .limit(limit)
            .scalar_subquery()
        )
        statement = (
            update(notifications)
            .where(notifications.c.id.in_(stale), notifications.c.status == Status.SENDING.value)
            .values(status=Status.TEMPORARY_FAILURE.value, complete_time=now, failure_reason="NO_RECEIPT")
            .returning(*notifications.c)
        )
        return [from_row(r._mapping, self.personal) for r in (await self.conn.execute(statement)).all()]
