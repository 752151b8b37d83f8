"""Double-entry ledger: every success and refund posts lines that sum to zero, on per-agency accounts.

Signs: debits positive, credits negative. For an agency and provider ``p``:

* payment success of A:  ``provider:p:clearing`` +A, ``agency:<id>:collected`` -A
* refund success of R:   ``agency:<id>:refunded`` +R, ``provider:p:clearing`` -R

So, per agency: all lines sum to zero, ``-collected`` is the sum of successful payments, ``refunded`` the sum of
successful refunds, and the clearing accounts hold successful payments minus refunds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .payment import Payment
from .refund import Refund

KIND_PAYMENT = "payment"
KIND_REFUND = "refund"


def clearing_account(provider: str) -> str:
    return f"provider:{provider}:clearing"


def collected_account(agency_id: str) -> str:
    return f"agency:{agency_id}:collected"


def refunded_account(agency_id: str) -> str:
    return f"agency:{agency_id}:refunded"


@dataclass(frozen=True)
class LedgerTransaction:
    id: str
    agency_id: str
    kind: str
    payment_id: str
    refund_id: str
    time: datetime
    lines: tuple[tuple[str, int], ...]

    @property
    def source_key(self) -> str:
        """Unique per business fact, so the same success or refund can never be posted twice."""
        return f"{self.kind}:{self.refund_id or self.payment_id}"

    @property
    def balance(self) -> int:
        return sum(amount for _, amount in self.lines)


def post_payment(payment: Payment, *, transaction_id: str, now: datetime) -> LedgerTransaction:
    amount = payment.amount_vnd
    return LedgerTransaction(
        transaction_id,
        payment.agency_id,
        KIND_PAYMENT,
        payment.id,
        "",
        now,
        ((clearing_account(payment.provider), amount), (collected_account(payment.agency_id), -amount)),
    )


def post_refund(payment: Payment, refund: Refund, *, transaction_id: str, now: datetime) -> LedgerTransaction:
    amount = refund.amount_vnd
    return LedgerTransaction(
        transaction_id,
        payment.agency_id,
        KIND_REFUND,
        payment.id,
        refund.id,
        now,
        ((refunded_account(payment.agency_id), amount), (clearing_account(payment.provider), -amount)),
    )


@dataclass(frozen=True)
class Violation:
    agency_id: str
    kind: str
    transaction_id: str = ""
    detail: str = ""


@dataclass
class AgencyFigures:
    """What the database says about one agency, gathered by the adapter for :func:`check_invariants`."""

    balances: dict[str, int] = field(default_factory=dict)
    successful_payments_vnd: int = 0
    successful_refunds_vnd: int = 0


def check_invariants(
    unbalanced: Iterable[tuple[str, str, int]], agencies: Mapping[str, AgencyFigures]
) -> list[Violation]:
    """``unbalanced``: (agency, transaction id, sum) of transactions whose lines do not sum to zero."""
    found = [Violation(a, "TRANSACTION_NOT_BALANCED", t, f"lines sum to {s}") for a, t, s in unbalanced]
    for agency_id, figures in sorted(agencies.items()):
        total = sum(figures.balances.values())
        if total:
            found.append(Violation(agency_id, "LEDGER_NOT_ZERO", "", f"the agency's lines sum to {total}"))
        collected = -figures.balances.get(collected_account(agency_id), 0)
        refunded = figures.balances.get(refunded_account(agency_id), 0)
        clearing = sum(v for k, v in figures.balances.items() if k.startswith("provider:"))
        expected_net = figures.successful_payments_vnd - figures.successful_refunds_vnd
        if (collected, refunded, clearing) != (
            figures.successful_payments_vnd,
            figures.successful_refunds_vnd,
            expected_net,
        ):
            found.append(
                Violation(
                    agency_id,
                    "LEDGER_PAYMENTS_MISMATCH",
                    "",
                    f"ledger collected {collected}, refunded {refunded}, clearing {clearing}; payments say "
                    f"{figures.successful_payments_vnd} paid, {figures.successful_refunds_vnd} refunded",
                )
            )
    return found
