"""What a provider tells us about a payment, and the rule that decides what that changes.

Providers speak their own formats (adapters verify and translate them); the rule here is provider-neutral:

* unknown payment, or one handled by another provider  -> ``UNKNOWN_PAYMENT``, nothing changes;
* amount differs from the payment's                    -> ``AMOUNT_MISMATCH``, nothing changes;
* payment already final (replay, duplicate, late)      -> ``ALREADY_FINAL``, nothing changes; a *success*
  arriving after the payment was expired or cancelled is ``LATE_SUCCESS``: money may have moved at the
  provider, so it is kept for the reconciliation report, but the payment stays final and no ledger is posted;
* payment never started                                -> ``NOT_STARTED``, nothing changes;
* otherwise                                            -> ``APPLIED``: SUBMITTED, then SUCCESS or FAILED.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .payment import Payment, PaymentState, Transition

CAUSE_NOTIFICATION = "provider.notification"
CAUSE_RETURN = "provider.return"


class Disposition(enum.StrEnum):
    APPLIED = "APPLIED"
    UNKNOWN_PAYMENT = "UNKNOWN_PAYMENT"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    ALREADY_FINAL = "ALREADY_FINAL"
    LATE_SUCCESS = "LATE_SUCCESS"
    NOT_STARTED = "NOT_STARTED"

    @property
    def changes_payment(self) -> bool:
        return self is Disposition.APPLIED


@dataclass(frozen=True)
class ProviderNotification:
    """A verified provider message: the payment it concerns and the provider's verdict."""

    provider: str
    payment_id: str
    amount_vnd: int
    succeeded: bool
    provider_reference: str = ""
    #: Machine-readable reason when not succeeded, e.g. ``DECLINED``.
    failure_reason: str = ""
    #: Identifies this message at the provider, so an exact replay is recognised.
    dedupe_key: str = ""


def decide(payment: Payment | None, note: ProviderNotification) -> Disposition:
    """What ``note`` does to ``payment`` (pure; see the module docstring)."""
    if payment is None or payment.provider != note.provider:
        return Disposition.UNKNOWN_PAYMENT
    if note.amount_vnd != payment.amount_vnd:
        return Disposition.AMOUNT_MISMATCH
    if payment.state.final:
        late = note.succeeded and payment.state in (PaymentState.EXPIRED, PaymentState.CANCELLED)
        return Disposition.LATE_SUCCESS if late else Disposition.ALREADY_FINAL
    if payment.state is PaymentState.CREATED:
        return Disposition.NOT_STARTED
    return Disposition.APPLIED


def apply(payment: Payment, note: ProviderNotification, now: datetime) -> list[Transition]:
    """Move a STARTED or SUBMITTED payment to its final state as the provider says (after :func:`decide`)."""
    moves = []
    if payment.state is PaymentState.STARTED:
        moves.append(payment.move(PaymentState.SUBMITTED, now=now, cause=CAUSE_NOTIFICATION))
    if note.provider_reference:
        payment.provider_reference = note.provider_reference
    final = PaymentState.SUCCESS if note.succeeded else PaymentState.FAILED
    moves.append(
        payment.move(
            final,
            now=now,
            cause=CAUSE_NOTIFICATION,
            failure_reason="" if note.succeeded else (note.failure_reason or "DECLINED"),
        )
    )
    return moves


def payer_returned(payment: Payment, note: ProviderNotification, now: datetime) -> bool:
    """The payer's browser came back from the provider with signed parameters: STARTED -> SUBMITTED.

    The outcome itself is left to the provider's server-to-server notification (VNPay's rule: never settle a
    payment from the browser), so this only records that the payer finished the provider's steps.
    """
    if decide(payment, note) is not Disposition.APPLIED or payment.state is not PaymentState.STARTED:
        return False
    payment.move(PaymentState.SUBMITTED, now=now, cause=CAUSE_RETURN)
    return True
