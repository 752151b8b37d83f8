"""Urgent official documents: documents' ``DocumentSent`` e-mails each recipient agency that gave a notification
address, when the document is "hỏa tốc" or "thượng khẩn". Once per event (recorded in the same transaction)."""

from __future__ import annotations

import logging
from datetime import UTC

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.documents.v1 import events_pb2 as document_events

from ..domain import document_alert
from ..domain.notifications import ONE_OFF, NewNotification
from ..domain.recipients import InvalidRecipient, normalise_email
from .ports import Deps, NotifyUnitOfWork
from .sending import compose

log = logging.getLogger("lienthong.notify.events")
CONSUMER = "notify"
DOCUMENT_SENT = document_events.DocumentSent.DESCRIPTOR.full_name
REFERENCE = "documents.urgent_arrival"


async def on_document_sent(uow: NotifyUnitOfWork, deps: Deps, event: EventEnvelope) -> None:
    """Queue one e-mail per recipient with an address (bus handler; raising makes the bus redeliver)."""
    sent = document_events.DocumentSent()
    if not event.payload.Unpack(sent) or sent.urgency not in document_alert.ALERTING:
        return
    addresses = []
    for recipient in sent.recipients:
        try:
            if recipient.notification_email:
                addresses.append((recipient, normalise_email(recipient.notification_email)))
        except InvalidRecipient:
            log.warning("urgent document alert not sent: address invalid", extra={"event_id": event.id})
    if not addresses:
        return
    now = deps.clock()
    sent_at = sent.send_time.ToDatetime(tzinfo=UTC) if sent.send_time.seconds else now
    async with uow:
        if not await uow.inbox.first_delivery(CONSUMER, event.id):
            return
        template = document_alert.template(now)
        batch = []
        for recipient, address in addresses:
            values = {
                "urgency": document_alert.ALERTING[sent.urgency],
                "number_symbol": sent.number_symbol,
                "sender_name": sent.sender_name,
                "sender_code": sent.sender_code,
                "recipient_name": recipient.display_name,
                "send_time": sent_at.strftime("%d/%m/%Y %H:%M UTC"),
            }
            n = compose(
                template, address, values, reference=REFERENCE, batch_id="", test=False, simulated="", now=now
            )
            key = f"event:{event.id}:{recipient.code}"
            batch.append(NewNotification(n, key, "", ONE_OFF, deps.retry.give_up_time(now)))
        await uow.notifications.add(batch)
    deps.wake()
