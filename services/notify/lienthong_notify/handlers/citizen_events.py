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
from lienthong_runtime.metrics import REGISTRY

from ..domain import record_changed
from ..domain.contacts import Contact, email_or_empty, supersedes
from ..domain.notifications import ONE_OFF, NewNotification
from .ports import Deps, NotifyUnitOfWork
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


async def on_contact_changed(uow: NotifyUnitOfWork, deps: Deps, event: EventEnvelope) -> None:
    """Keep the citizen's contact unless a newer change is on file (events may arrive out of order); an empty
    contact removes it (bus handler; raising makes the bus redeliver)."""
    change = identity_events.CitizenContactChanged()
    if not event.payload.Unpack(change) or not change.personal_id:
        return
    contact = Contact(email=email_or_empty(change.email), phone_number=change.phone_number)
    stamp = (change.change_time if change.change_time.seconds else event.time).ToDatetime(tzinfo=UTC)
    async with uow:
        if not await uow.inbox.first_delivery(CONSUMER, event.id):
            return
        if not supersedes(stamp, await uow.contacts.change_time(change.personal_id)):
            return
        if contact.empty:
            await uow.contacts.remove(change.personal_id)
        else:
            await uow.contacts.put(change.personal_id, contact, stamp, deps.clock())


async def on_citizen_changed(uow: NotifyUnitOfWork, deps: Deps, event: EventEnvelope) -> None:
    """E-mail the citizen once per event when an address is on file; otherwise nothing is written."""
    changed = registry_events.CitizenChanged()
    if not event.payload.Unpack(changed) or not changed.personal_id:
        return
    now = deps.clock()
    async with uow:
        contact = await uow.contacts.get(changed.personal_id)
        if contact is None or not contact.email:
            RECORD_CHANGED.labels("no_contact").inc()
            return
        if not await uow.inbox.first_delivery(CONSUMER, event.id):
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
        await uow.notifications.add(
            [NewNotification(n, f"event:{event.id}", "", ONE_OFF, deps.retry.give_up_time(now))]
        )
    RECORD_CHANGED.labels("queued").inc()
    deps.wake()
