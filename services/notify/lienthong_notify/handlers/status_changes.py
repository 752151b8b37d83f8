"""What follows every status change, in its transaction: final statuses publish ``NotificationDelivered`` /
``NotificationFailed`` through the outbox, and queue a callback POST when the agency's callback asks for the
status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.protobuf import timestamp_pb2

from lienthong.notify.v1 import events_pb2
from lienthong_runtime.ids import new_id

from ..domain.callbacks import CallbackDue, payload
from ..domain.channels import Status
from ..domain.notifications import Notification
from .ports import NotifyUnitOfWork


def final_event(
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


async def after_moves(uow: NotifyUnitOfWork, moved: Sequence[Notification], now: datetime) -> None:
    """Stage the events of final statuses and queue the callbacks the agencies asked for."""
    if not moved:
        return
    for n in moved:
        if n.status.final:
            uow.publish(final_event(n, now), subject=n.id, agency_id=n.agency_id)
    configs = await uow.callbacks.for_agencies(n.agency_id for n in moved)
    due = [
        CallbackDue(new_id(), n.agency_id, payload(n, now), 0)
        for n in moved
        if n.agency_id in configs and configs[n.agency_id].wants(n.status)
    ]
    await uow.callbacks.enqueue(due, now)
