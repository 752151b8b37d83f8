"""Notifications in the database, always scoped to one agency, and their forward-only status changes.

A notification's recipient, subject and body are personal data (an address, a name, a payment's details): they
are stored only sealed (:class:`PersonalFields`, AES-256-GCM under notify's keyring, bound to the notification
id), never in clear; the clear columns of rows written before sealing are read while they remain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.channels import Channel, Status, earlier_than
from ..domain.notifications import Notification
from ..domain.sms import SmsEncoding, SmsSegments
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


@dataclass(frozen=True)
class NewNotification:
    """A notification to store and queue in one transaction."""

    notification: Notification
    idempotency_key: str | None
    fingerprint: str
    priority: int
    give_up_at: datetime


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


async def add(session: AsyncConnection, items: Sequence[NewNotification], personal: PersonalFields) -> None:
    """Store notifications and put them on the delivery queue (one statement each, however many)."""
    if not items:
        return
    await session.execute(insert(notifications), [_row(i, personal) for i in items])
    await session.execute(insert(deliveries), [_queue_row(i) for i in items])


async def insert_unless_key_used(
    session: AsyncConnection, items: Sequence[NewNotification], personal: PersonalFields
) -> set[str]:
    """Store notifications whose idempotency key is unused (ON CONFLICT DO NOTHING, one statement for all);
    returns the ids stored. Queue them with :func:`enqueue` once they are sure to be kept."""
    if not items:
        return set()
    dialect = postgresql if session.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(notifications)
        .on_conflict_do_nothing(index_elements=["agency_id", "idempotency_key"])
        .returning(notifications.c.id)
    )
    result = await session.execute(statement, [_row(i, personal) for i in items])
    return {row.id for row in result}


async def enqueue(session: AsyncConnection, items: Sequence[NewNotification]) -> None:
    if items:
        await session.execute(insert(deliveries), [_queue_row(i) for i in items])


async def discard(session: AsyncConnection, ids: Sequence[str]) -> None:
    """Remove notifications stored earlier in this transaction that a limit then refused."""
    if ids:
        await session.execute(delete(notifications).where(notifications.c.id.in_(list(ids))))


async def get(
    session: AsyncConnection, agency_id: str, notification_id: str, personal: PersonalFields
) -> Notification | None:
    row = (
        await session.execute(
            select(notifications).where(
                notifications.c.id == notification_id, notifications.c.agency_id == agency_id
            )
        )
    ).first()
    return from_row(row._mapping, personal) if row else None


async def by_idempotency_key(
    session: AsyncConnection, agency_id: str, key: str, personal: PersonalFields
) -> tuple[Notification, str] | None:
    """The notification sent with ``key`` and the fingerprint of its request."""
    row = (
        await session.execute(
            select(notifications).where(
                notifications.c.agency_id == agency_id, notifications.c.idempotency_key == key
            )
        )
    ).first()
    return (from_row(row._mapping, personal), row._mapping["fingerprint"]) if row else None


async def by_idempotency_keys(
    session: AsyncConnection, keys: Sequence[tuple[str, str]], personal: PersonalFields
) -> dict[tuple[str, str], tuple[Notification, str]]:
    """Notifications already sent with any of the (agency, key) pairs, with their request fingerprints."""
    if not keys:
        return {}
    rows = (
        await session.execute(
            select(notifications).where(
                notifications.c.agency_id.in_({a for a, _ in keys}),
                notifications.c.idempotency_key.in_({k for _, k in keys}),
            )
        )
    ).all()
    found = {(r.agency_id, r.idempotency_key): (from_row(r._mapping, personal), r.fingerprint) for r in rows}
    return {pair: found[pair] for pair in keys if pair in found}


@dataclass(frozen=True)
class NotificationFilter:
    statuses: frozenset[Status] = frozenset()
    channel: Channel | None = None
    reference: str = ""
    batch_id: str = ""


async def list_page(
    session: AsyncConnection,
    agency_id: str,
    flt: NotificationFilter,
    before_id: str | None,
    limit: int,
    personal: PersonalFields,
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
    rows = (await session.execute(query.order_by(notifications.c.id.desc()).limit(limit))).all()
    return [from_row(r._mapping, personal) for r in rows]


async def list_for_recipients(
    session: AsyncConnection,
    recipients: Sequence[str],
    before_id: str | None,
    limit: int,
    personal: PersonalFields,
) -> list[Notification]:
    """Real (not test) notifications to any of ``recipients``, from every agency, newest first: found by the
    recipient's blind index (sealed rows) or, for rows written before sealing, by the clear column."""
    digests = [d for d in (personal.recipient_index(r) for r in recipients) if d is not None]
    match = or_(
        notifications.c.recipient_index.in_(digests),
        and_(notifications.c.sealed.is_(None), notifications.c.recipient.in_(list(recipients))),
    )
    query = select(notifications).where(match, notifications.c.test.is_(False))
    if before_id:
        query = query.where(notifications.c.id < before_id)
    rows = (await session.execute(query.order_by(notifications.c.id.desc()).limit(limit))).all()
    return [from_row(r._mapping, personal) for r in rows]


async def status_counts(session: AsyncConnection, agency_id: str, batch_id: str) -> dict[Status, int]:
    rows = (
        await session.execute(
            select(notifications.c.status, func.count())
            .where(notifications.c.agency_id == agency_id, notifications.c.batch_id == batch_id)
            .group_by(notifications.c.status)
        )
    ).all()
    return {Status(status): count for status, count in rows}


async def move(
    session: AsyncConnection,
    ids: Sequence[str],
    target: Status,
    now: datetime,
    *,
    reason: str = "",
    provider: str | None = None,
    provider_reference: str | None = None,
    attempted: bool = False,
    personal: PersonalFields,
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
    if provider_reference is not None:
        values["provider_reference"] = provider_reference
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
    return [from_row(r._mapping, personal) for r in (await session.execute(statement)).all()]


async def count_attempt(session: AsyncConnection, ids: Sequence[str]) -> None:
    if ids:
        await session.execute(
            update(notifications)
            .where(notifications.c.id.in_(list(ids)))
            .values(attempt_count=notifications.c.attempt_count + 1)
        )


async def expire_unconfirmed_sms(
    session: AsyncConnection, sent_before: datetime, now: datetime, personal: PersonalFields, limit: int = 500
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
    return [from_row(r._mapping, personal) for r in (await session.execute(statement)).all()]
