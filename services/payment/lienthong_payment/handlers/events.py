"""The payment events (``payment/v1/events.proto``), staged in the outbox inside the caller's transaction.

They carry the payer's e-mail (notify sends the receipt), so the outbox row is sealed; the relay unseals it just
before publishing and then deletes it."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncConnection

from lienthong.payment.v1 import events_pb2, payment_pb2
from lienthong_runtime.crypto import Keyring, seal_event
from lienthong_runtime.events import add_event, envelope

from ..adapters import pg
from ..adapters.tables import outbox
from ..domain.payment import Payment
from ..domain.refund import Refund

SOURCE = "payment"


def _ts(moment: datetime | None) -> Timestamp:
    stamp = Timestamp()
    if moment is not None:
        stamp.FromDatetime(moment)
    return stamp


async def _stage(conn: AsyncConnection, keyring: Keyring, payment: Payment, message: Message) -> None:
    event = seal_event(keyring, envelope(SOURCE, message, subject=payment.id, agency_id=payment.agency_id))
    if pg.native(conn):
        await pg.add_event(conn, event.id, event.type, event.SerializeToString())
        return
    # add_event only calls .execute, which the Core connection this service uses has too.
    await add_event(conn, outbox, event)  # type: ignore[arg-type]


async def payment_finished(conn: AsyncConnection, keyring: Keyring, payment: Payment) -> None:
    """PaymentSucceeded for SUCCESS (what notify needs for the receipt), PaymentFailed for the other ends."""
    if payment.state.name == "SUCCESS":
        await _stage(
            conn,
            keyring,
            payment,
            events_pb2.PaymentSucceeded(
                payment_id=payment.id,
                reference=payment.reference,
                description=payment.description,
                amount_vnd=payment.amount_vnd,
                payer_email=payment.payer_email,
                provider=payment.provider,
                provider_reference=payment.provider_reference,
                finish_time=_ts(payment.finish_time),
            ),
        )
        return
    await _stage(
        conn,
        keyring,
        payment,
        events_pb2.PaymentFailed(
            payment_id=payment.id,
            reference=payment.reference,
            amount_vnd=payment.amount_vnd,
            state=payment_pb2.PaymentState.Name(int(payment.state)),
            failure_reason=payment.failure_reason,
            payer_email=payment.payer_email,
            finish_time=_ts(payment.finish_time),
        ),
    )


async def refunded(conn: AsyncConnection, keyring: Keyring, payment: Payment, refund: Refund) -> None:
    await _stage(
        conn,
        keyring,
        payment,
        events_pb2.PaymentRefunded(
            payment_id=payment.id,
            refund_id=refund.id,
            reference=payment.reference,
            amount_vnd=refund.amount_vnd,
            refunded_amount_vnd=payment.refunded_amount_vnd,
            payer_email=payment.payer_email,
            finish_time=_ts(refund.finish_time),
        ),
    )
