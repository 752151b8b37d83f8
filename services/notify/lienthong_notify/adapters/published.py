"""Events notify publishes (NotificationDelivered / NotificationFailed) and what follows every status change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from google.protobuf import timestamp_pb2
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from lienthong.notify.v1 import events_pb2
from lienthong_runtime.events import envelope

from ..domain.channels import Status
from ..domain.notifications import Notification
from . import callback_store
from .tables import outbox


def _event(
    n: Notification, now: datetime
) -> events_pb2.NotificationDelivered | events_pb2.NotificationFailed:
    done = timestamp_pb2.Timestamp()
    done.FromDatetime(now)
    if n.status is Status.DELIVERED:
        return events_pb2.NotificationDelivered(
            notification_id=n.id,
            channel=n.channel.value,
            reference=n.reference,
            batch_id=n.batch_id,
            test=n.test,
            complete_time=done,
        )
    return events_pb2.NotificationFailed(
        notification_id=n.id,
        channel=n.channel.value,
        reference=n.reference,
        batch_id=n.batch_id,
        test=n.test,
        status=f"NOTIFICATION_STATUS_{n.status.value}",
        failure_reason=n.failure_reason,
        complete_time=done,
    )


async def after_moves(session: AsyncConnection, moved: Sequence[Notification], now: datetime) -> None:
    """In the transaction of the status change: stage events of final statuses and queue callbacks."""
    if not moved:
        return
    rows = []
    for n in moved:
        if n.status.final:
            env = envelope("notify", _event(n, now), subject=n.id, agency_id=n.agency_id)
            rows.append(
                {
                    "event_id": env.id,
                    "type": env.type,
                    "envelope": env.SerializeToString(),
                    "created_at": datetime.now(UTC),
                    "attempts": 0,
                }
            )
    if rows:
        await session.execute(insert(outbox), rows)
    await callback_store.enqueue(session, moved, now)
