"""Pure domain rules, no database: lifecycle moves, notification decisions, refunds, ledger, reconciliation."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lienthong_payment.domain import ledger, lifecycle, notifications
from lienthong_payment.domain import refund as refunds
from lienthong_payment.domain.notifications import Disposition, ProviderNotification
from lienthong_payment.domain.payment import Payment, PaymentRequest, PaymentState
from lienthong_payment.domain.reconciliation import PostedTransaction, reconcile
from lienthong_runtime.errors import FailedPrecondition, InvalidArgument

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def request(**overrides) -> PaymentRequest:
    values = {
        "amount_vnd": 100_000,
        "description": "Lệ phí",
        "reference": "R1",
        "return_url": "https://a.example.vn/r",
        "idempotency_key": "k",
        "provider": "sandbox",
    }
    return PaymentRequest(**{**values, **overrides})


def payment(**overrides) -> Payment:
    return Payment.create(
        id="p1", agency_id="ag", request=request(**overrides), now=NOW, lifetime=timedelta(minutes=90)
    )


def test_fingerprint_binds_every_parameter_but_the_key():
    assert request().fingerprint() == request(idempotency_key="other").fingerprint()
    assert request().fingerprint() != request(amount_vnd=100_001).fingerprint()
    # The e-mail is compared after unsealing, never hashed without a key (a dump would confirm guesses).
    assert request().fingerprint() == request(payer_email="x@y.vn").fingerprint()
    assert payment().same_request(payment(idempotency_key="other"))
    assert not payment().same_request(payment(payer_email="x@y.vn"))
    assert not payment().same_request(payment(amount_vnd=100_001))


def test_localhost_return_url_only_in_development():
    local = request(return_url="http://localhost:3000/back")
    local.validate(max_amount_vnd=10**9, allow_http_localhost=True)
    with pytest.raises(InvalidArgument):
        local.validate(max_amount_vnd=10**9, allow_http_localhost=False)


def test_public_url_is_derived_unless_configured():
    from lienthong_payment.config import Settings

    embedded = Settings(database_url="sqlite+aiosqlite:///x.db", migrate_on_start=True, http_port=8363)
    assert embedded.public_url() == "http://127.0.0.1:8363" and not embedded.dev_mode
    production = Settings(database_url="postgresql://db/payment", public_http_url="https://pay.gov.vn/")
    assert production.public_url() == "https://pay.gov.vn"


def test_lifecycle_only_moves_forward():
    p = payment()
    lifecycle.start(p, lifecycle.NextAction("https://pay"), lifecycle.StartOptions(), NOW)
    note = ProviderNotification("sandbox", "p1", 100_000, True, "T1")
    assert notifications.decide(p, note) is Disposition.APPLIED
    notifications.apply(p, note, NOW)
    assert p.state is PaymentState.SUCCESS and p.finish_time == NOW
    assert [t.to_state for t in p.pending_transitions] == [
        PaymentState.STARTED,
        PaymentState.SUBMITTED,
        PaymentState.SUCCESS,
    ]
    for target in PaymentState:
        with pytest.raises(FailedPrecondition):
            p.move(target, now=NOW, cause="test")
    assert not lifecycle.expire(p, NOW + timedelta(days=1))
    with pytest.raises(FailedPrecondition):
        lifecycle.cancel(p, NOW)


def test_notification_decisions():
    p = payment()
    ok = ProviderNotification("sandbox", "p1", 100_000, True)
    assert notifications.decide(None, ok) is Disposition.UNKNOWN_PAYMENT
    assert (
        notifications.decide(p, ProviderNotification("vnpay", "p1", 100_000, True))
        is Disposition.UNKNOWN_PAYMENT
    )
    assert notifications.decide(p, ok) is Disposition.NOT_STARTED
    assert (
        notifications.decide(p, ProviderNotification("sandbox", "p1", 99_999, True))
        is Disposition.AMOUNT_MISMATCH
    )
    lifecycle.expire(p, NOW + timedelta(minutes=90))
    assert notifications.decide(p, ok) is Disposition.LATE_SUCCESS
    assert (
        notifications.decide(p, ProviderNotification("sandbox", "p1", 100_000, False))
        is Disposition.ALREADY_FINAL
    )


def test_refunds_reserve_settle_and_post_balanced_lines():
    p = payment()
    lifecycle.start(p, lifecycle.NextAction(), lifecycle.StartOptions(), NOW)
    notifications.apply(p, ProviderNotification("sandbox", "p1", 100_000, True), NOW)
    req = refunds.RefundRequest("p1", 60_000, 100_000, "", "r1")
    r = refunds.reserve(p, req, refund_id="r1", now=NOW)
    assert p.refund_amount_available_vnd == 40_000
    with pytest.raises(FailedPrecondition) as stale:
        refunds.reserve(p, req, refund_id="r2", now=NOW)
    assert stale.value.reason == "REFUND_AMOUNT_AVAILABLE_MISMATCH"
    with pytest.raises(FailedPrecondition) as exceeds:
        refunds.reserve(p, refunds.RefundRequest("p1", 50_000, 40_000, "", "r2"), refund_id="r2", now=NOW)
    assert exceeds.value.reason == "REFUND_EXCEEDS_AVAILABLE"
    assert refunds.settle(p, r, succeeded=True, now=NOW) and not refunds.settle(p, r, succeeded=True, now=NOW)
    assert (p.refunded_amount_vnd, p.refund_amount_available_vnd) == (60_000, 40_000)
    paid = ledger.post_payment(p, transaction_id="t1", now=NOW)
    back = ledger.post_refund(p, r, transaction_id="t2", now=NOW)
    assert paid.balance == back.balance == 0
    balances: dict[str, int] = {}
    for account, amount in (*paid.lines, *back.lines):
        balances[account] = balances.get(account, 0) + amount
    figures = ledger.AgencyFigures(balances, successful_payments_vnd=100_000, successful_refunds_vnd=60_000)
    assert ledger.check_invariants([], {"ag": figures}) == []
    figures.successful_refunds_vnd = 0
    assert [v.kind for v in ledger.check_invariants([], {"ag": figures})] == ["LEDGER_PAYMENTS_MISMATCH"]


def test_reconciliation_finds_missing_unexpected_and_wrong_amounts():
    paid, failed = payment(), payment()
    paid.id, failed.id = "paid", "failed"
    for p in (paid, failed):
        lifecycle.start(p, lifecycle.NextAction(), lifecycle.StartOptions(), NOW)
    notifications.apply(paid, ProviderNotification("sandbox", "paid", 100_000, True), NOW)
    notifications.apply(failed, ProviderNotification("sandbox", "failed", 100_000, False), NOW)
    day = date(2026, 11, 27)
    report = reconcile(day, [paid, failed], [], [], {})
    assert [(m.payment_id, m.kind) for m in report.mismatches] == [("paid", "MISSING_LEDGER_ENTRY")]
    posted = [
        PostedTransaction("t1", "payment", "paid", "", 90_000, 0),
        PostedTransaction("t2", "payment", "failed", "", 100_000, 10),
    ]
    kinds = [(m.payment_id, m.kind) for m in reconcile(day, [paid, failed], [], posted, {}).mismatches]
    assert kinds == [
        ("paid", "AMOUNT_MISMATCH"),
        ("failed", "UNBALANCED_TRANSACTION"),
        ("failed", "UNEXPECTED_LEDGER_ENTRY"),
    ]
    paid.reference = "=HYPERLINK(1)"
    assert b"'=HYPERLINK" in report.csv_bytes()
