"""A succeeded payment sends the agency's receipt to the payer (notify's consumers are wired in one place:
``bootstrap.event_handlers``; citizen contacts and record changes are in :mod:`.citizen_events`, urgent
official documents in :mod:`.document_events`).

The receipt uses the agency's e-mail template named ``payment_receipt`` when it has one (it may use any of
the placeholders in :data:`RECEIPT_VALUES`' keys), else a built-in Vietnamese receipt. The notification is
created in the same transaction that records the event as processed, so a redelivered event sends nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.payment.v1 import events_pb2 as payment_events

from ..domain.channels import Channel
from ..domain.notifications import ONE_OFF, NewNotification
from ..domain.recipients import InvalidRecipient, normalise_email
from ..domain.templates import TemplateVersion, placeholders
from .ports import Deps, NotifyUnitOfWork
from .sending import compose

log = logging.getLogger("lienthong.notify.events")
CONSUMER = "notify"
RECEIPT_TEMPLATE = "payment_receipt"
PAYMENT_SUCCEEDED = payment_events.PaymentSucceeded.DESCRIPTOR.full_name

DEFAULT_SUBJECT = "Biên lai thanh toán (((reference)))"  # reads "Biên lai thanh toán (REF-1)"
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


def default_receipt(agency_id: str, now: datetime) -> TemplateVersion:
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


async def on_payment_succeeded(uow: NotifyUnitOfWork, deps: Deps, event: EventEnvelope) -> None:
    """Send the receipt once per event (bus handler; raising makes the bus redeliver)."""
    payment = payment_events.PaymentSucceeded()
    if not event.payload.Unpack(payment) or not payment.payer_email or not event.agency_id:
        return
    try:
        recipient = normalise_email(payment.payer_email)
    except InvalidRecipient:
        log.warning("receipt not sent: payer e-mail invalid", extra={"event_id": event.id})
        return
    now = deps.clock()
    async with uow:
        if not await uow.inbox.first_delivery(CONSUMER, event.id):
            return
        template = await uow.templates.find_by_name(event.agency_id, Channel.EMAIL, RECEIPT_TEMPLATE)
        values = receipt_values(payment)
        if template is None or not set(template.placeholders) <= set(values):
            if template is not None:
                log.warning(
                    "receipt template uses unknown placeholders; built-in receipt sent",
                    extra={"event_id": event.id},
                )
            template = default_receipt(event.agency_id, now)
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
        await uow.notifications.add(
            [NewNotification(n, f"event:{event.id}", "", ONE_OFF, deps.retry.give_up_time(now))]
        )
    deps.wake()
