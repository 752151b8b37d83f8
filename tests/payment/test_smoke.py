from lienthong.payment.v1 import payment_pb2 as pb

from .conftest import paid_payment


async def test_create_start_complete(svc):
    payment = await paid_payment(svc, "agency-a")
    got = await svc.stub("agency-a").GetPayment(pb.GetPaymentRequest(payment_id=payment.id))
    assert [t.to_state for t in got.transitions] == [
        pb.PAYMENT_STATE_STARTED,
        pb.PAYMENT_STATE_SUBMITTED,
        pb.PAYMENT_STATE_SUCCESS,
    ]
    assert got.payment.refund_amount_available_vnd == payment.amount_vnd
