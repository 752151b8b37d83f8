"""gRPC servicer of the payment service: proto in, command to a handler, proto out.

The agency is always the caller's, from the verified token (``principal.agency_id``), never a request field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong.payment.v1 import payment_pb2_grpc
from lienthong_runtime.auth import require_agency
from lienthong_runtime.timestamps import datetime_of

from . import grpc_mapping as to
from .domain.lifecycle import StartOptions
from .domain.payment import PaymentRequest
from .domain.refund import RefundRequest
from .handlers import payments, refunds, reports
from .handlers.ports import PaymentUnitOfWork, Services


def agency() -> str:
    """The calling agency (PERMISSION_DENIED ``AGENCY_REQUIRED`` for a token of none)."""
    return require_agency().agency_id


class PaymentService(payment_pb2_grpc.PaymentServiceServicer):
    def __init__(self, uow: Callable[[], PaymentUnitOfWork], services: Services) -> None:
        self.uow, self.services = uow, services

    async def CreatePayment(self, request: pb.CreatePaymentRequest, context: Any) -> pb.CreatePaymentResponse:
        command = PaymentRequest(
            amount_vnd=request.amount_vnd,
            description=request.description,
            reference=request.reference,
            return_url=request.return_url,
            idempotency_key=request.idempotency_key,
            provider=to.provider_name(request.provider, self.services.policy.default_provider),
            payer_email=request.payer_email,
        )
        payment = await payments.create_payment(self.uow(), self.services, agency(), command)
        return pb.CreatePaymentResponse(payment=to.payment(payment))

    async def GetPayment(self, request: pb.GetPaymentRequest, context: Any) -> pb.GetPaymentResponse:
        payment, transitions = await payments.get_payment(self.uow(), agency(), request.payment_id)
        return pb.GetPaymentResponse(
            payment=to.payment(payment), transitions=[to.transition(t) for t in transitions]
        )

    async def SearchPayments(
        self, request: pb.SearchPaymentsRequest, context: Any
    ) -> pb.SearchPaymentsResponse:
        query = payments.Search(
            states=to.states_of(list(request.states)),
            start=datetime_of(request, "create_time_start"),
            end=datetime_of(request, "create_time_end"),
            reference=request.reference,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        found, token = await payments.search_payments(self.uow(), agency(), query)
        return pb.SearchPaymentsResponse(payments=[to.payment(p) for p in found], next_page_token=token)

    async def StartPayment(self, request: pb.StartPaymentRequest, context: Any) -> pb.StartPaymentResponse:
        options = StartOptions(
            payer_ip=request.payer_ip[:45],
            locale=request.locale or "vi",
            sandbox_scenario=int(request.sandbox_scenario),
        )
        payment, action = await payments.start_payment(
            self.uow(), self.services, agency(), request.payment_id, options
        )
        return pb.StartPaymentResponse(payment=to.payment(payment), next_action=to.next_action(action))

    async def CancelPayment(self, request: pb.CancelPaymentRequest, context: Any) -> pb.CancelPaymentResponse:
        payment = await payments.cancel_payment(
            self.uow(), self.services, agency(), request.payment_id, request.reason
        )
        return pb.CancelPaymentResponse(payment=to.payment(payment))

    async def CreateRefund(self, request: pb.CreateRefundRequest, context: Any) -> pb.CreateRefundResponse:
        command = RefundRequest(
            payment_id=request.payment_id,
            amount_vnd=request.amount_vnd,
            refund_amount_available_vnd=request.refund_amount_available_vnd,
            reason=request.reason,
            idempotency_key=request.idempotency_key,
        )
        return pb.CreateRefundResponse(
            refund=to.refund(await refunds.create_refund(self.uow(), self.services, agency(), command))
        )

    async def GetRefund(self, request: pb.GetRefundRequest, context: Any) -> pb.GetRefundResponse:
        return pb.GetRefundResponse(
            refund=to.refund(await refunds.get_refund(self.uow(), agency(), request.refund_id))
        )

    async def ListRefunds(self, request: pb.ListRefundsRequest, context: Any) -> pb.ListRefundsResponse:
        found, token = await refunds.list_refunds(
            self.uow(), agency(), request.payment_id, request.page_size, request.page_token
        )
        return pb.ListRefundsResponse(refunds=[to.refund(r) for r in found], next_page_token=token)

    async def GetReconciliationReport(
        self, request: pb.GetReconciliationReportRequest, context: Any
    ) -> pb.GetReconciliationReportResponse:
        if not request.HasField("date"):
            raise to.invalid("date", "required")
        report = await reports.reconciliation_report(self.uow(), agency(), to.day_of(request.date))
        return to.report(report, request.include_csv)

    async def CheckLedgerInvariants(
        self, request: pb.CheckLedgerInvariantsRequest, context: Any
    ) -> pb.CheckLedgerInvariantsResponse:
        check = await reports.check_ledger(self.uow())
        return pb.CheckLedgerInvariantsResponse(
            ok=check.ok,
            agencies_checked=check.agencies_checked,
            transactions_checked=check.transactions_checked,
            violations=[
                pb.LedgerInvariantViolation(
                    agency_id=v.agency_id, kind=v.kind, transaction_id=v.transaction_id, detail=v.detail
                )
                for v in check.violations
            ],
        )
