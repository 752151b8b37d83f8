"""The payment events (``payment/v1/events.proto``), staged in the outbox of the caller's unit of work.

They carry the payer's e-mail (notify sends the receipt), so the units of work store the outbox row sealed; the
relay unseals it just before publishing and then deletes it."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.payment.v1 import events_pb2, payment_pb2

from ..domain.payment import Payment
from ..domain.refund import Refund
from .ports import PaymentUnitOfWork


def _ts(moment: datetime | None) -> Timestamp:
    stamp = Timestamp()
    if moment is not None:
        stamp.FromDatetime(moment)
    return stamp


def payment_finished(uow: PaymentUnitOfWork, payment: Payment) -> None:
    """PaymentSucceeded for SUCCESS (what notify needs for the receipt), PaymentFailed for the other ends."""
    if payment.state.name == "SUCCESS":
        message: Message = events_pb2.PaymentSucceeded(
            payment_id=payment.id,
            reference=payment.reference,
            description=payment.description,
            amount_vnd=payment.amount_vnd,
            payer_email=payment.payer_email,
            provider=payment.provider,
            provider_reference=payment.provider_reference,
            finish_time=_ts(payment.finish_time),
        )
    else:
        message = events_pb2.PaymentFailed(
            payment_id=payment.id,
            reference=payment.reference,
            amount_vnd=payment.amount_vnd,
            state=payment_pb2.PaymentState.Name(int(payment.state)),
            failure_reason=payment.failure_reason,
            payer_email=payment.payer_email,
            finish_time=_ts(payment.finish_time),
        )
    uow.publish(message, subject=payment.id, agency_id=payment.agency_id)


def refunded(uow: PaymentUnitOfWork, payment: Payment, refund: Refund) -> None:
    uow.publish(
        events_pb2.PaymentRefunded(
            payment_id=payment.id,
            refund_id=refund.id,
            reference=payment.reference,
            amount_vnd=refund.amount_vnd,
            refunded_amount_vnd=payment.refunded_amount_vnd,
            payer_email=payment.payer_email,
            finish_time=_ts(refund.finish_time),
        ),
        subject=payment.id,
        agency_id=payment.agency_id,
    )
