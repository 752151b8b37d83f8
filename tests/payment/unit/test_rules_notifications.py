"""The notification intake and the reconciliation on the in-memory unit of work."""

from __future__ import annotations

from lienthong_payment.domain.lifecycle import StartOptions
from lienthong_payment.domain.notifications import Disposition, ProviderNotification
from lienthong_payment.domain.payment import PaymentRequest, PaymentState
from lienthong_payment.handlers import payments, reports
from lienthong_payment.handlers.notifications import NotificationIntake

from ..fake_provider import Clock, services
from ..fakes import FakePaymentUnitOfWork


async def test_a_success_after_the_agency_cancelled_is_kept_for_reconciliation_only():
    uow, clock = FakePaymentUnitOfWork(), Clock()
    svc = services(clock=clock)
    request = PaymentRequest(80_000, "Lệ phí", "HS-9", "https://a.example.vn/r", "k", "sandbox")
    payment = await payments.create_payment(uow, svc, "agency-a", request)
    await payments.start_payment(uow, svc, "agency-a", payment.id, StartOptions())
    await payments.cancel_payment(uow, svc, "agency-a", payment.id)
    intake = NotificationIntake(lambda: uow, svc)
    ack = await intake.receive("sandbox", {"payment_id": payment.id, "amount": "80000"})
    assert ack.body == {"result": Disposition.LATE_SUCCESS.value}
    assert uow.payment_rows[payment.id].state is PaymentState.CANCELLED and not uow.ledger_rows
    report = await reports.reconciliation_report(uow, "agency-a", clock().date())
    assert [(m.payment_id, m.kind) for m in report.mismatches] == [(payment.id, "LATE_PROVIDER_SUCCESS")]
    assert (await reports.reconciliation_report(uow, "agency-b", clock().date())).mismatches == []


async def test_an_unknown_provider_or_payment_changes_nothing():
    uow, svc = FakePaymentUnitOfWork(), services()
    intake = NotificationIntake(lambda: uow, svc)
    assert (await intake.receive("vnpay", {"payment_id": "x", "amount": "1"})).status == 404
    assert await intake.apply(ProviderNotification("sandbox", "nope", 1, True)) is Disposition.UNKNOWN_PAYMENT
    assert not uow.notification_rows and not uow.outbox
