"""Events notify consumes: a succeeded payment sends the agency's receipt to the payer; citizen contacts and
record changes are handled in :mod:`.citizen_events`, urgent official documents in :mod:`.document_events`.

The receipt uses the agency's e-mail template named ``payment_receipt`` when it has one (it may use any of
the placeholders in :data:`RECEIPT_VALUES`' keys), else a built-in Vietnamese receipt. The notification is
created in the same transaction that records the event as processed, so a redelivered event sends nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong_runtime.events import first_delivery

from ..adapters import notification_store, template_store
from ..adapters.contact_store import ContactBook
from ..adapters.notification_store import NewNotification
from ..adapters.tables import processed_events
from ..domain.channels import Channel
from ..domain.notifications import ONE_OFF
from ..domain.recipients import InvalidRecipient, normalise_email
from ..domain.templates import TemplateVersion, placeholders
from . import citizen_events, document_events
from .context import Notify, utcnow
from .sending import compose

log = logging.getLogger("lienthong.notify.events")
CONSUMER = "notify"
RECEIPT_TEMPLATE = "payment_receipt"
PAYMENT_SUCCEEDED = payment_events.PaymentSucceeded.DESCRIPTOR.full_name

DEFAULT_SUBJECT = "Biên lai thanh toán ((reference))"
DEFAULT_BODY = (
    "Kính gửi Quý khách,\n\n"
    "Cơ quan đã nhận khoản thanh toán ((amount)) cho: ((description)).\n"
    "Mã thanh toán: ((payment_id))\nMã tham chiếu: ((reference))\nThời gian: ((finish_time))\n\n"
    "Đây là thư tự động, vui lòng không trả lời."
)


def receipt_values(p: payment_events.PaymentSucceeded) -> dict[str, str]:
    """Personalisation a receipt template may use."""
    finished = (
        p.finish_time.ToDatetime(tzinfo=UTC).strftime("%d/%m/%Y %H:%M UTC") if p.finish_time.seconds else ""
    )
    return {
        "payment_id": p.payment_id,
        "reference": p.reference,
        "description": p.description,
        "amount": f"{p.amount_vnd:,}".replace(",", ".") + " ₫",
        "amount_vnd": str(p.amount_vnd),
        "provider": p.provider,
        "provider_reference": p.provider_reference,
        "finish_time": finished,
    }


def default_receipt(agency_id: str) -> TemplateVersion:
    now = utcnow()
    return TemplateVersion(
        id="builtin-payment-receipt",
        agency_id=agency_id,
        channel=Channel.EMAIL,
        name=RECEIPT_TEMPLATE,
        subject=DEFAULT_SUBJECT,
        body=DEFAULT_BODY,
        version=1,
        create_time=now,
        update_time=now,
        placeholders=placeholders(DEFAULT_SUBJECT, DEFAULT_BODY),
    )


async def on_payment_succeeded(notify: Notify, event: EventEnvelope) -> None:
    """Send the receipt once per event (bus handler; raising makes the bus redeliver)."""
    payment = payment_events.PaymentSucceeded()
    if not event.payload.Unpack(payment) or not payment.payer_email or not event.agency_id:
        return
    try:
        recipient = normalise_email(payment.payer_email)
    except InvalidRecipient:
        log.warning("receipt not sent: payer e-mail invalid", extra={"event_id": event.id})
        return
    now = utcnow()
    async with notify.connect() as session, session.begin():
        if not await first_delivery(session, processed_events, CONSUMER, event.id):
            return
        template = await template_store.find_by_name(
            session, event.agency_id, Channel.EMAIL, RECEIPT_TEMPLATE
        )
        values = receipt_values(payment)
        if template is None or not set(template.placeholders) <= set(values):
            if template is not None:
                log.warning(
                    "receipt template uses unknown placeholders; built-in receipt sent",
                    extra={"event_id": event.id},
                )
            template = default_receipt(event.agency_id)
        used = {name: values[name] for name in template.placeholders}
        n = compose(
            template,
            recipient,
            used,
            reference=payment.reference[:100],
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
    notify.wake()


async def subscribe(notify: Notify, bus: object, contacts: ContactBook) -> None:
    """Subscribe the durable consumer ``notify`` (on_start hook of the service)."""

    async def handler(event: EventEnvelope) -> None:
        if event.type == PAYMENT_SUCCEEDED:
            await on_payment_succeeded(notify, event)
        elif event.type == citizen_events.CONTACT_CHANGED:
            await citizen_events.on_contact_changed(notify, contacts, event)
        elif event.type == citizen_events.CITIZEN_CHANGED:
            await citizen_events.on_citizen_changed(notify, contacts, event)
        elif event.type == document_events.DOCUMENT_SENT:
            await document_events.on_document_sent(notify, event)

    types = [
        PAYMENT_SUCCEEDED,
        citizen_events.CONTACT_CHANGED,
        citizen_events.CITIZEN_CHANGED,
        document_events.DOCUMENT_SENT,
    ]
    await bus.subscribe(CONSUMER, types, handler)  # type: ignore[attr-defined]
