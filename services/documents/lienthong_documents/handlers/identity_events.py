"""identity's agency events, consumed by the durable consumer ``documents``: ``AgencyCreated`` makes an agency
known (the directory registers only known agencies), ``AgencySuspended``/``AgencyResumed`` stop and restart its
exchange. Each event is applied once (its id recorded in the same transaction), and a suspension or resumption
older than the state kept is ignored, so redeliveries and overtaking never move the state back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.identity.v1 import events_pb2 as identity_events

from .context import Context
from .ports import DocumentsUnitOfWork

log = logging.getLogger("lienthong.documents.identity_events")
CONSUMER = "documents"
CREATED = identity_events.AgencyCreated.DESCRIPTOR.full_name
SUSPENDED = identity_events.AgencySuspended.DESCRIPTOR.full_name
RESUMED = identity_events.AgencyResumed.DESCRIPTOR.full_name
TYPES = (CREATED, SUSPENDED, RESUMED)


def _instant(stamp: Timestamp, event: EventEnvelope) -> datetime:
    """The event's own instant (``suspend_time``/``resume_time``), else the envelope's time."""
    chosen = stamp if stamp.seconds or stamp.nanos else event.time
    return chosen.ToDatetime(tzinfo=UTC)


async def handle(uow: DocumentsUnitOfWork, ctx: Context, event: EventEnvelope) -> None:
    """Apply one identity event (bus handler; raising makes the bus redeliver)."""
    message: Any
    if event.type == CREATED:
        message = identity_events.AgencyCreated()
    elif event.type == SUSPENDED:
        message = identity_events.AgencySuspended()
    elif event.type == RESUMED:
        message = identity_events.AgencyResumed()
    else:
        return
    if not event.payload.Unpack(message) or not message.agency_id or len(message.agency_id) > 64:
        log.warning("identity event without a usable agency id", extra={"event_id": event.id})
        return
    now = ctx.now()
    async with uow:
        if not await uow.processed.first_delivery(CONSUMER, event.id):
            return
        agencies = uow.identity_agencies
        if event.type == CREATED:
            await agencies.created(
                message.agency_id, message.display_name, message.kind, message.province_code, now
            )
        elif event.type == SUSPENDED:
            await agencies.suspension(message.agency_id, True, _instant(message.suspend_time, event), now)
        else:
            await agencies.suspension(message.agency_id, False, _instant(message.resume_time, event), now)
    ctx.agency_events.notify()
    log.info("identity agency event applied", extra={"event_type": event.type, "event_id": event.id})


async def subscribe(ctx: Context, bus: Any) -> None:
    """Subscribe the durable consumer ``documents`` to identity's agency events."""

    async def handler(event: EventEnvelope) -> None:
        await handle(ctx.uow(), ctx, event)

    await bus.subscribe(CONSUMER, list(TYPES), handler)
