"""Agency B can neither see nor touch agency A's payments and refunds: always NOT_FOUND, never a hint."""

import grpc

from lienthong.payment.v1 import payment_pb2 as pb

from .conftest import create_request, paid_payment, rpc_error


async def test_other_agency_cannot_get_search_refund_or_cancel(svc):
    a, b = svc.stub("agency-a"), svc.stub("agency-b")
    paid = await paid_payment(svc, "agency-a", amount=60_000)
    open_one = (await a.CreatePayment(create_request(reference="HS-A-2"))).payment
    refund = (
        await a.CreateRefund(
            pb.CreateRefundRequest(
                payment_id=paid.id,
                amount_vnd=10_000,
                refund_amount_available_vnd=60_000,
                idempotency_key="ra",
            )
        )
    ).refund
    await b.CreatePayment(create_request(reference="HS-B-1"))

    for call in (
        b.GetPayment(pb.GetPaymentRequest(payment_id=paid.id)),
        b.CancelPayment(pb.CancelPaymentRequest(payment_id=open_one.id)),
        b.StartPayment(pb.StartPaymentRequest(payment_id=open_one.id)),
        b.CreateRefund(
            pb.CreateRefundRequest(
                payment_id=paid.id, amount_vnd=1_000, refund_amount_available_vnd=50_000, idempotency_key="rb"
            )
        ),
        b.GetRefund(pb.GetRefundRequest(refund_id=refund.id)),
    ):
        code, _ = await rpc_error(call)
        assert code is grpc.StatusCode.NOT_FOUND
    seen_by_b = await b.SearchPayments(pb.SearchPaymentsRequest(page_size=500))
    assert [p.reference for p in seen_by_b.payments] == ["HS-B-1"]
    assert not (await b.SearchPayments(pb.SearchPaymentsRequest(reference="HS-A-2"))).payments
    assert not (await b.ListRefunds(pb.ListRefundsRequest(payment_id=paid.id))).refunds
    assert not (await b.ListRefunds(pb.ListRefundsRequest())).refunds
    # A's payments are untouched by B's attempts.
    assert (
        await a.GetPayment(pb.GetPaymentRequest(payment_id=open_one.id))
    ).payment.state == pb.PAYMENT_STATE_CREATED
    again = (await a.GetPayment(pb.GetPaymentRequest(payment_id=paid.id))).payment
    assert again.refunded_amount_vnd == 10_000


async def test_a_token_needs_the_right_scope_and_an_agency(svc):
    stub = svc.stub("agency-a")._stub
    code, reason = await rpc_error(
        stub.CreatePayment(
            create_request(), metadata=svc.mint.metadata(["payment.payments.read"], agency="agency-a")
        )
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "SCOPE_MISSING")
    code, reason = await rpc_error(
        stub.SearchPayments(
            pb.SearchPaymentsRequest(), metadata=svc.mint.metadata(["payment.payments.read"], agency="")
        )
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "AGENCY_REQUIRED")
