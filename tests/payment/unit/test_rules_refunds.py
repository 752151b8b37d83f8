"""Refund and ledger rules on the in-memory unit of work: never more than was captured, partial refunds add up,
idempotency, provider errors, agency isolation, and a ledger that always balances."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lienthong_payment.domain.ledger import LedgerTransaction, post_payment
from lienthong_payment.domain.lifecycle import StartOptions
from lienthong_payment.domain.notifications import Disposition, ProviderNotification
from lienthong_payment.domain.payment import PaymentRequest, PaymentState
from lienthong_payment.domain.refund import RefundRequest, RefundState
from lienthong_payment.handlers import payments, refunds, reports
from lienthong_payment.handlers.notifications import apply_notification
from lienthong_runtime.errors import AlreadyExists, FailedPrecondition, NotFound

from ..fake_provider import FakeProvider, services
from ..fakes import FakePaymentUnitOfWork

AMOUNT = 100_000
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def paid(uow, svc, agency="agency-a", key="pay-1"):
    request = PaymentRequest(
        AMOUNT, "Lệ phí", "HS-1", "https://a.example.vn/r", key, "sandbox", "a@example.vn"
    )
    payment = await payments.create_payment(uow, svc, agency, request)
    await payments.start_payment(uow, svc, agency, payment.id, StartOptions())
    note = ProviderNotification("sandbox", payment.id, AMOUNT, True, provider_reference="T1")
    assert await apply_notification(uow, svc, note) is Disposition.APPLIED
    return uow.payment_rows[payment.id]


def refund(payment_id, amount, available, key):
    return RefundRequest(payment_id, amount, available, "trả lại", key)


async def test_partial_refunds_add_up_and_never_exceed_what_was_captured():
    uow, svc = FakePaymentUnitOfWork(), services()
    payment = await paid(uow, svc)
    first = await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 30_000, AMOUNT, "r1"))
    second = await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 50_000, 70_000, "r2"))
    assert first.state is second.state is RefundState.SUCCESS
    with pytest.raises(FailedPrecondition) as too_much:
        await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 20_001, 20_000, "r3"))
    assert too_much.value.reason == "REFUND_EXCEEDS_AVAILABLE"
    last = await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 20_000, 20_000, "r4"))
    assert last.state is RefundState.SUCCESS
    stored = uow.payment_rows[payment.id]
    assert (stored.refunded_amount_vnd, stored.refund_amount_available_vnd) == (AMOUNT, 0)
    with pytest.raises(FailedPrecondition) as nothing_left:
        await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 1, 0, "r5"))
    assert nothing_left.value.reason == "REFUND_EXCEEDS_AVAILABLE"
    assert len(uow.events("PaymentRefunded")) == 3
    check = await reports.check_ledger(uow)
    assert check.ok and check.transactions_checked == 4  # one success, three refunds


async def test_a_stale_view_of_what_is_refundable_is_refused():
    uow, svc = FakePaymentUnitOfWork(), services()
    payment = await paid(uow, svc)
    await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 10_000, AMOUNT, "r1"))
    with pytest.raises(FailedPrecondition) as stale:
        await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 10_000, AMOUNT, "r2"))
    assert stale.value.reason == "REFUND_AMOUNT_AVAILABLE_MISMATCH"
    assert stale.value.metadata == {"refund_amount_available_vnd": "90000"}


async def test_only_a_successful_payment_is_refundable():
    uow, svc = FakePaymentUnitOfWork(), services()
    request = PaymentRequest(AMOUNT, "Lệ phí", "HS-1", "https://a.example.vn/r", "k", "sandbox")
    payment = await payments.create_payment(uow, svc, "agency-a", request)
    with pytest.raises(FailedPrecondition) as refused:
        await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 1, 0, "r1"))
    assert refused.value.reason == "PAYMENT_NOT_REFUNDABLE" and not uow.refund_rows


async def test_a_refund_key_gives_the_same_refund_or_a_refusal():
    uow, svc = FakePaymentUnitOfWork(), services()
    payment = await paid(uow, svc)
    first = await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 10_000, AMOUNT, "same"))
    again = await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 10_000, 90_000, "same"))
    assert again.id == first.id and len(uow.refund_rows) == 1
    with pytest.raises(AlreadyExists) as reused:
        await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 20_000, 90_000, "same"))
    assert reused.value.reason == "IDEMPOTENCY_KEY_REUSED"


async def test_a_refund_the_provider_refuses_releases_its_reserve():
    uow, provider = FakePaymentUnitOfWork(), FakeProvider(refund_fails=True)
    svc = services(provider)
    payment = await paid(uow, svc)
    failed = await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 40_000, AMOUNT, "r1"))
    assert (failed.state, failed.failure_reason) == (RefundState.ERROR, "DECLINED")
    stored = uow.payment_rows[payment.id]
    assert (stored.refund_pending_vnd, stored.refunded_amount_vnd, stored.refund_amount_available_vnd) == (
        0,
        0,
        AMOUNT,
    )
    assert len(uow.ledger_rows) == 1 and not uow.events("PaymentRefunded")


async def test_refunds_belong_to_their_agency():
    uow, svc = FakePaymentUnitOfWork(), services()
    payment = await paid(uow, svc)
    mine = await refunds.create_refund(uow, svc, "agency-a", refund(payment.id, 10_000, AMOUNT, "r1"))
    with pytest.raises(NotFound) as hidden:
        await refunds.create_refund(uow, svc, "agency-b", refund(payment.id, 10_000, 90_000, "r2"))
    assert hidden.value.reason == "PAYMENT_NOT_FOUND"
    with pytest.raises(NotFound) as not_theirs:
        await refunds.get_refund(uow, "agency-b", mine.id)
    assert not_theirs.value.reason == "REFUND_NOT_FOUND"
    assert (await refunds.list_refunds(uow, "agency-b", "", 0, ""))[0] == []
    assert [r.id for r in (await refunds.list_refunds(uow, "agency-a", payment.id, 0, ""))[0]] == [mine.id]


async def test_a_notification_is_applied_once_and_posts_one_balanced_transaction():
    uow, svc = FakePaymentUnitOfWork(), services()
    payment = await paid(uow, svc)
    assert payment.state is PaymentState.SUCCESS and payment.provider_reference == "T1"
    replay = ProviderNotification("sandbox", payment.id, AMOUNT, True, provider_reference="T1")
    assert await apply_notification(uow, svc, replay) is Disposition.ALREADY_FINAL
    assert len(uow.ledger_rows) == 1 and len(uow.events("PaymentSucceeded")) == 1
    (txn,) = uow.ledger_rows.values()
    assert txn.balance == 0 and sorted(a for _, a in txn.lines) == [-AMOUNT, AMOUNT]
    wrong = ProviderNotification("sandbox", payment.id, AMOUNT + 1, True)
    assert await apply_notification(uow, svc, wrong) is Disposition.AMOUNT_MISMATCH
    assert [n.disposition for n in uow.notification_rows] == [
        Disposition.APPLIED,
        Disposition.ALREADY_FINAL,
        Disposition.AMOUNT_MISMATCH,
    ]


async def test_a_transaction_that_fails_leaves_nothing_behind():
    uow, svc = FakePaymentUnitOfWork(), services()
    request = PaymentRequest(AMOUNT, "Lệ phí", "HS-1", "https://a.example.vn/r", "k", "sandbox")
    payment = await payments.create_payment(uow, svc, "agency-a", request)
    await payments.start_payment(uow, svc, "agency-a", payment.id, StartOptions())
    # The payment's fact is already posted: the notification's posting hits the unique source_key.
    async with uow:
        await uow.ledger.post(
            post_payment(uow.payment_rows[payment.id], transaction_id="pre-posted", now=NOW)
        )
    note = ProviderNotification("sandbox", payment.id, AMOUNT, True)
    before = (len(uow.notification_rows), len(uow.outbox), uow.payment_rows[payment.id].state)
    with pytest.raises(Exception, match="source_key"):
        await apply_notification(uow, svc, note)
    assert (len(uow.notification_rows), len(uow.outbox), uow.payment_rows[payment.id].state) == before
    assert len(uow.ledger_rows) == 1


async def test_a_ledger_transaction_that_does_not_balance_is_never_written():
    uow = FakePaymentUnitOfWork()
    with pytest.raises(ValueError, match="does not balance"):
        async with uow:
            txn = LedgerTransaction(
                "t", "agency-a", "payment", "p", "", datetime.now(UTC), (("a", 5), ("b", -4))
            )
            await uow.ledger.post(txn)
    assert not uow.ledger_rows and (await reports.check_ledger(uow)).ok
