"""The Refund aggregate: full or partial refunds of a successful payment that never exceed what was paid.

The payment row is locked while a refund is reserved, so the checks below see every earlier refund, even when
requests race. The caller states what it believes is still refundable (as GOV.UK Pay does): a stale belief is
refused rather than silently refunding twice.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import lienthong_runtime.validation as validation
from lienthong_runtime.errors import FailedPrecondition, FieldViolation, InvalidArgument

from .payment import Payment, PaymentState


class RefundState(enum.IntEnum):
    """Values of ``lienthong.payment.v1.RefundState``."""

    SUBMITTED = 1
    SUCCESS = 2
    ERROR = 3


@dataclass(frozen=True)
class RefundRequest:
    payment_id: str
    amount_vnd: int
    refund_amount_available_vnd: int
    reason: str
    idempotency_key: str

    def validate(self) -> None:
        bad: list[FieldViolation] = []
        if not self.payment_id:
            bad.append(FieldViolation("payment_id", "required"))
        if self.amount_vnd <= 0:
            bad.append(FieldViolation("amount_vnd", "must be a positive number of đồng"))
        if self.refund_amount_available_vnd < 0:
            bad.append(FieldViolation("refund_amount_available_vnd", "must not be negative"))
        for problem in (
            validation.problem(
                "idempotency_key", validation.plain_text, self.idempotency_key, max_length=255, required=True
            ),
            validation.problem("reason", validation.plain_text, self.reason, max_length=500, multiline=True),
        ):
            if problem is not None:
                bad.append(problem)
        if bad:
            raise InvalidArgument(
                "the refund request is invalid", reason="REFUND_REQUEST_INVALID", field_violations=bad
            )

    def fingerprint(self) -> str:
        """Bound to the idempotency key; the stated available amount is not part of it, so a retry after the
        first attempt succeeded still returns that refund."""
        canonical = json.dumps([self.payment_id, self.amount_vnd, self.reason], separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Refund:
    id: str
    agency_id: str
    payment_id: str
    amount_vnd: int
    reason: str
    idempotency_key: str
    fingerprint: str
    create_time: datetime
    update_time: datetime
    state: RefundState = RefundState.SUBMITTED
    failure_reason: str = ""
    finish_time: datetime | None = None


def reserve(payment: Payment, request: RefundRequest, *, refund_id: str, now: datetime) -> Refund:
    """Check the request against the (locked) payment and reserve the amount as a SUBMITTED refund."""
    if payment.state is not PaymentState.SUCCESS:
        raise FailedPrecondition(
            f"a {payment.state.name} payment cannot be refunded", reason="PAYMENT_NOT_REFUNDABLE"
        )
    available = payment.refund_amount_available_vnd
    if request.refund_amount_available_vnd != available:
        raise FailedPrecondition(
            "refund_amount_available_vnd does not match what is refundable now",
            reason="REFUND_AMOUNT_AVAILABLE_MISMATCH",
            metadata={"refund_amount_available_vnd": str(available)},
        )
    if request.amount_vnd > available:
        raise FailedPrecondition(
            "the refund exceeds what is still refundable",
            reason="REFUND_EXCEEDS_AVAILABLE",
            metadata={"refund_amount_available_vnd": str(available)},
        )
    payment.refund_pending_vnd += request.amount_vnd
    payment.update_time = now
    return Refund(
        id=refund_id,
        agency_id=payment.agency_id,
        payment_id=payment.id,
        amount_vnd=request.amount_vnd,
        reason=request.reason,
        idempotency_key=request.idempotency_key,
        fingerprint=request.fingerprint(),
        create_time=now,
        update_time=now,
    )


def settle(
    payment: Payment, refund: Refund, *, succeeded: bool, now: datetime, failure_reason: str = ""
) -> bool:
    """Finish a SUBMITTED refund: success moves the reserve into ``refunded``; error releases it.

    False (no change) if the refund is already final, so a duplicate provider answer is harmless.
    """
    if refund.state is not RefundState.SUBMITTED:
        return False
    payment.refund_pending_vnd -= refund.amount_vnd
    if succeeded:
        payment.refunded_amount_vnd += refund.amount_vnd
        refund.state = RefundState.SUCCESS
    else:
        refund.state = RefundState.ERROR
        refund.failure_reason = failure_reason or "PROVIDER_ERROR"
    refund.update_time = refund.finish_time = payment.update_time = now
    return True
