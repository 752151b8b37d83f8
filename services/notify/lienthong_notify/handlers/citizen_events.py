"""Telling citizens that their registry record changed.

identity's ``CitizenContactChanged`` keeps notify's contacts projection (blind-indexed, sealed) up to date;
registry's ``CitizenChanged`` then sends the citizen an e-mail through the normal pipeline (stored, queued,
retried) when an address is on file. Services never read each other's tables: the contact arrives as an event.
Both handlers record the event id in the transaction of their side effect, so a redelivery changes nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC

from prometheus_client import Counter

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong.registry.v1 import events_pb2 as registry_events
from lienthong_runtime.events import first_delivery
from lienthong_runtime.metrics import REGISTRY

from ..adapters import notification_store
from ..adapters.contact_store import Contact, ContactBook
from ..adapters.notification_store import NewNotification
from ..adapters.tables import processed_events
from ..domain import record_changed
from ..domain.notifications import ONE_OFF
from ..domain.recipients import InvalidRecipient, normalise_email
from .context import Notify, utcnow
from .sending import compose

log = logging.getLogger("lienthong.notify.events")
CONSUMER = "notify"
CONTACT_CHANGED = identity_events.CitizenContactChanged.DESCRIPTOR.full_name
CITIZEN_CHANGED = registry_events.CitizenChanged.DESCRIPTOR.full_name
#: Reference of the notifications (visible in NotificationDelivered/Failed events): no personal data.
REFERENCE = "registry.citizen_changed"

RECORD_CHANGED = Counter(
    "lienthong_notify_record_changed_total",
    "Registry CitizenChanged events handled by notify, by outcome (queued, no_contact, duplicate).",
    ["outcome"],
    registry=REGISTRY,
)


def _email_or_empty(address: str) -> str:
    try:
        return normalise_email(address) if address else ""
    except InvalidRecipient:
        return ""


async def on_contact_changed(notify: Notify, book: ContactBook, event: EventEnvelope) -> None:
    """Keep the citizen's contact (bus handler; raising makes the bus redeliver)."""
    change = identity_events.CitizenContactChanged()
    if not event.payload.Unpack(change) or not change.personal_id:
        return
    contact = Contact(email=_email_or_empty(change.email), phone_number=change.phone_number)
    stamp = change.change_time if change.change_time.seconds else event.time
    async with notify.connect() as session, session.begin():
        if await first_delivery(session, processed_events, CONSUMER, event.id):
            await book.put(session, change.personal_id, contact, stamp.ToDatetime(tzinfo=UTC), utcnow())


async def on_citizen_changed(notify: Notify, book: ContactBook, event: EventEnvelope) -> None:
    """E-mail the citizen once per event when an address is on file; otherwise nothing is written."""
    changed = registry_events.CitizenChanged()
    if not event.payload.Unpack(changed) or not changed.personal_id:
        return
    now = utcnow()
    async with notify.connect() as session, session.begin():
        contact = await book.get(session, changed.personal_id)
        if contact is None or not contact.email:
            RECORD_CHANGED.labels("no_contact").inc()
            return
        if not await first_delivery(session, processed_events, CONSUMER, event.id):
            RECORD_CHANGED.labels("duplicate").inc()
            return
        values = record_changed.values(changed.version, changed.changed_fields, changed.legal_reason)
        n = compose(
            record_changed.template(now),
            contact.email,
            values,
            reference=REFERENCE,
            batch_id="",
            test=False,
            simulated="",
            now=now,
        )
        await notification_store.add(
            session,
            [NewNotification(n, f"event:{event.id}", "", ONE_OFF, notify.retry.give_up_time(now))],
            notify.personal,
        )
    RECORD_CHANGED.labels("queued").inc()
    notify.wake()
