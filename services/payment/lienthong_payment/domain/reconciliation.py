"""The daily reconciliation of one agency: totals, ledger balances and every payment/ledger disagreement."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .ledger import KIND_PAYMENT, KIND_REFUND
from .payment import Payment, PaymentState
from .refund import Refund, RefundState

BUSINESS_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def business_day(day: date) -> tuple[datetime, datetime]:
    """The [start, end) instants of a business day in Asia/Ho_Chi_Minh."""
    start = datetime.combine(day, time(), tzinfo=BUSINESS_TZ)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class PostedTransaction:
    """A ledger transaction as the reconciliation sees it: its debit total and whether its lines sum to 0."""

    transaction_id: str
    kind: str
    payment_id: str
    refund_id: str
    debit_vnd: int
    balance_vnd: int


@dataclass(frozen=True)
class Mismatch:
    payment_id: str
    kind: str
    expected_vnd: int
    actual_vnd: int
    detail: str = ""
    refund_id: str = ""


@dataclass
class Report:
    day: date
    totals: dict[PaymentState, tuple[int, int]] = field(default_factory=dict)
    refund_count: int = 0
    refunded_amount_vnd: int = 0
    balances: dict[str, int] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    payments: Sequence[Payment] = ()
    refunds: Sequence[Refund] = ()

    @property
    def net_collected_vnd(self) -> int:
        return self.totals.get(PaymentState.SUCCESS, (0, 0))[1] - self.refunded_amount_vnd

    def csv_bytes(self) -> bytes:
        """One row per payment and refund of the day, then one per mismatch (UTF-8, header row)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "record",
                "payment_id",
                "refund_id",
                "reference",
                "state",
                "amount_vnd",
                "refunded_amount_vnd",
                "provider",
                "provider_reference",
                "create_time",
                "finish_time",
                "mismatch",
            ]
        )
        for p in self.payments:
            writer.writerow(
                [
                    "payment",
                    p.id,
                    "",
                    _cell(p.reference),
                    p.state.name,
                    p.amount_vnd,
                    p.refunded_amount_vnd,
                    p.provider,
                    _cell(p.provider_reference),
                    _iso(p.create_time),
                    _iso(p.finish_time),
                    "",
                ]
            )
        for r in self.refunds:
            writer.writerow(
                [
                    "refund",
                    r.payment_id,
                    r.id,
                    "",
                    r.state.name,
                    r.amount_vnd,
                    "",
                    "",
                    "",
                    _iso(r.create_time),
                    _iso(r.finish_time),
                    "",
                ]
            )
        for m in self.mismatches:
            writer.writerow(
                [
                    "mismatch",
                    m.payment_id,
                    m.refund_id,
                    "",
                    "",
                    m.expected_vnd,
                    m.actual_vnd,
                    "",
                    "",
                    "",
                    "",
                    f"{m.kind}: {m.detail}",
                ]
            )
        return out.getvalue().encode("utf-8")


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _cell(text: str) -> str:
    # Agencies' free text lands in spreadsheets: neutralise formula injection.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def reconcile(
    day: date,
    payments: Sequence[Payment],
    refunds: Sequence[Refund],
    posted: Iterable[PostedTransaction],
    balances: Mapping[str, int],
    late_successes: Iterable[tuple[str, int]] = (),
) -> Report:
    """Compare the day's payments and refunds with what the ledger posted for them."""
    start, end = business_day(day)
    report = Report(day, balances=dict(balances), payments=payments, refunds=refunds)
    for p in payments:
        if not p.state.final or (p.finish_time is not None and start <= p.finish_time < end):
            count, amount = report.totals.get(p.state, (0, 0))
            report.totals[p.state] = (count + 1, amount + p.amount_vnd)
    done = [
        r
        for r in refunds
        if r.state is RefundState.SUCCESS and r.finish_time and start <= r.finish_time < end
    ]
    report.refund_count, report.refunded_amount_vnd = len(done), sum(r.amount_vnd for r in done)
    by_source = {(t.kind, t.refund_id or t.payment_id): t for t in posted}
    for p in payments:
        _compare(
            report,
            p.id,
            "",
            p.amount_vnd if p.state is PaymentState.SUCCESS else 0,
            by_source.get((KIND_PAYMENT, p.id)),
        )
    for r in refunds:
        _compare(
            report,
            r.payment_id,
            r.id,
            r.amount_vnd if r.state is RefundState.SUCCESS else 0,
            by_source.get((KIND_REFUND, r.id)),
        )
    for payment_id, amount in late_successes:
        report.mismatches.append(
            Mismatch(
                payment_id,
                "LATE_PROVIDER_SUCCESS",
                0,
                amount,
                "provider reported success after the payment ended; refund it there",
            )
        )
    return report


def _compare(
    report: Report, payment_id: str, refund_id: str, expected: int, txn: PostedTransaction | None
) -> None:
    add = report.mismatches.append
    if txn is None:
        if expected:
            add(Mismatch(payment_id, "MISSING_LEDGER_ENTRY", expected, 0, "no ledger transaction", refund_id))
        return
    if txn.balance_vnd:
        add(
            Mismatch(
                payment_id,
                "UNBALANCED_TRANSACTION",
                0,
                txn.balance_vnd,
                f"transaction {txn.transaction_id} does not sum to zero",
                refund_id,
            )
        )
    if not expected:
        add(
            Mismatch(
                payment_id,
                "UNEXPECTED_LEDGER_ENTRY",
                0,
                txn.debit_vnd,
                f"transaction {txn.transaction_id} for an unsuccessful record",
                refund_id,
            )
        )
    elif txn.debit_vnd != expected:
        add(
            Mismatch(
                payment_id,
                "AMOUNT_MISMATCH",
                expected,
                txn.debit_vnd,
                f"transaction {txn.transaction_id}",
                refund_id,
            )
        )
