"""Domain objects <-> protobuf messages of ``lienthong.payment.v1``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lienthong.common.v1 import date_pb2
from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_runtime.errors import invalid
from lienthong_runtime.timestamps import optional_timestamp as ts

from .domain.lifecycle import SANDBOX, VNPAY, NextAction
from .domain.payment import Payment, PaymentState, Transition
from .domain.reconciliation import Report
from .domain.refund import Refund

PROVIDER_NAMES: dict[int, str] = {pb.PAYMENT_PROVIDER_SANDBOX: SANDBOX, pb.PAYMENT_PROVIDER_VNPAY: VNPAY}
PROVIDER_ENUMS: dict[str, Any] = {name: number for number, name in PROVIDER_NAMES.items()}


def enum_value(value: int) -> Any:
    """A domain enum's number as the generated enum type (the numbers are the contract's)."""
    return value


def provider_name(value: int, default: str) -> str:
    if value == pb.PAYMENT_PROVIDER_UNSPECIFIED:
        return default
    if value not in PROVIDER_NAMES:
        raise invalid("provider", "unknown provider", reason="PROVIDER_UNKNOWN")
    return PROVIDER_NAMES[value]


def states_of(values: list[int]) -> list[PaymentState]:
    try:
        return [PaymentState(v) for v in values]
    except ValueError:
        raise invalid("states", "unknown payment state") from None


def day_of(value: date_pb2.Date) -> date:
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise invalid("date", "not a calendar date", reason="DATE_INVALID") from None


def payment(p: Payment) -> pb.Payment:
    return pb.Payment(
        id=p.id,
        reference=p.reference,
        description=p.description,
        amount_vnd=p.amount_vnd,
        state=enum_value(int(p.state)),
        provider=PROVIDER_ENUMS.get(p.provider, 0),
        return_url=p.return_url,
        payer_email=p.payer_email,
        provider_reference=p.provider_reference,
        refunded_amount_vnd=p.refunded_amount_vnd,
        refund_amount_available_vnd=p.refund_amount_available_vnd,
        failure_reason=p.failure_reason,
        create_time=ts(p.create_time),
        update_time=ts(p.update_time),
        expire_time=ts(p.expire_time),
        finish_time=ts(p.finish_time),
    )


def transition(t: Transition) -> pb.PaymentTransition:
    return pb.PaymentTransition(
        from_state=enum_value(int(t.from_state)),
        to_state=enum_value(int(t.to_state)),
        time=ts(t.time),
        cause=t.cause,
        detail=t.detail,
    )


def next_action(action: NextAction) -> pb.NextAction:
    return pb.NextAction(redirect_url=action.redirect_url, expire_time=ts(action.expire_time))


def refund(r: Refund) -> pb.Refund:
    return pb.Refund(
        id=r.id,
        payment_id=r.payment_id,
        amount_vnd=r.amount_vnd,
        state=enum_value(int(r.state)),
        reason=r.reason,
        failure_reason=r.failure_reason,
        create_time=ts(r.create_time),
        update_time=ts(r.update_time),
    )


def report(r: Report, include_csv: bool) -> pb.GetReconciliationReportResponse:
    return pb.GetReconciliationReportResponse(
        date=date_pb2.Date(year=r.day.year, month=r.day.month, day=r.day.day),
        payment_totals=[
            pb.StateTotal(state=enum_value(int(state)), count=count, amount_vnd=amount)
            for state, (count, amount) in sorted(r.totals.items())
        ],
        refund_count=r.refund_count,
        refunded_amount_vnd=r.refunded_amount_vnd,
        net_collected_vnd=r.net_collected_vnd,
        ledger_balances=[pb.LedgerBalance(account=a, balance_vnd=b) for a, b in sorted(r.balances.items())],
        mismatches=[
            pb.ReconciliationMismatch(
                payment_id=m.payment_id,
                refund_id=m.refund_id,
                kind=m.kind,
                expected_vnd=m.expected_vnd,
                actual_vnd=m.actual_vnd,
                detail=m.detail,
            )
            for m in r.mismatches
        ],
        csv=r.csv_bytes() if include_csv else b"",
        generate_time=ts(datetime.now(UTC)),
    )
