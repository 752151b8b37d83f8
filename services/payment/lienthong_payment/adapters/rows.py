"""Row <-> domain object conversion shared by the repositories."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lienthong_runtime.crypto import Keyring

from ..domain.payment import Payment, PaymentState
from ..domain.refund import Refund, RefundState
from .crypto import KEY_ID, SEALED, open_email, seal_email

PAYMENT_TIMES = ("create_time", "update_time", "expire_time", "finish_time", "redirect_expire_time")
REFUND_TIMES = ("create_time", "update_time", "finish_time")


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every time here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def payment_from_row(row: Mapping[Any, Any], keyring: Keyring | None) -> Payment:
    """The payment of a row; without ``keyring`` its ``payer_email`` stays empty (reports need none)."""
    values = dict(row)
    key_id, sealed = values.pop(KEY_ID), values.pop(SEALED)
    values["payer_email"] = open_email(keyring, values["id"], key_id, sealed) if keyring is not None else ""
    for name in PAYMENT_TIMES:
        values[name] = aware(values[name])
    values["state"] = PaymentState(values["state"])
    return Payment(**values)


def payment_values(payment: Payment, keyring: Keyring | None = None) -> dict[str, Any]:
    """Column values; the payer's e-mail (sealed) only with ``keyring`` (it never changes after the insert)."""
    email = seal_email(keyring, payment.id, payment.payer_email) if keyring is not None else {}
    return {
        **email,
        "id": payment.id,
        "agency_id": payment.agency_id,
        "reference": payment.reference,
        "description": payment.description,
        "amount_vnd": payment.amount_vnd,
        "state": int(payment.state),
        "provider": payment.provider,
        "return_url": payment.return_url,
        "idempotency_key": payment.idempotency_key,
        "fingerprint": payment.fingerprint,
        "provider_reference": payment.provider_reference,
        "failure_reason": payment.failure_reason,
        "refunded_amount_vnd": payment.refunded_amount_vnd,
        "refund_pending_vnd": payment.refund_pending_vnd,
        "redirect_url": payment.redirect_url,
        "redirect_expire_time": payment.redirect_expire_time,
        "sandbox_scenario": payment.sandbox_scenario,
        "create_time": payment.create_time,
        "update_time": payment.update_time or payment.create_time,
        "expire_time": payment.expire_time,
        "finish_time": payment.finish_time,
    }


def refund_from_row(row: Mapping[Any, Any]) -> Refund:
    values = dict(row)
    for name in REFUND_TIMES:
        values[name] = aware(values[name])
    values["state"] = RefundState(values["state"])
    return Refund(**values)


def refund_values(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "agency_id": refund.agency_id,
        "payment_id": refund.payment_id,
        "amount_vnd": refund.amount_vnd,
        "state": int(refund.state),
        "reason": refund.reason,
        "failure_reason": refund.failure_reason,
        "idempotency_key": refund.idempotency_key,
        "fingerprint": refund.fingerprint,
        "create_time": refund.create_time,
        "update_time": refund.update_time,
        "finish_time": refund.finish_time,
    }
