"""CreatePayment under retries: one payment per key, a changed request refused, bad input named per field."""

import asyncio

import grpc

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.adapters.tables import payments

from .conftest import count_rows, create_request, rpc_error


async def test_retry_storm_yields_exactly_one_payment(svc):
    client = svc.stub("agency-storm")
    request = create_request(idempotency_key="storm-key-1")
    answers = await asyncio.gather(*(client.CreatePayment(request) for _ in range(100)))
    assert len({a.payment.id for a in answers}) == 1
    assert await count_rows(svc, payments, payments.c.agency_id == "agency-storm") == 1
    changed = create_request(idempotency_key="storm-key-1", amount_vnd=request.amount_vnd + 1)
    code, reason = await rpc_error(client.CreatePayment(changed))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED")
    assert await count_rows(svc, payments, payments.c.agency_id == "agency-storm") == 1


async def test_changed_request_storm_is_refused_without_a_second_payment(svc):
    client = svc.stub("agency-storm2")
    first = await client.CreatePayment(create_request(idempotency_key="k", reference="A"))
    results = await asyncio.gather(
        *(
            client.CreatePayment(create_request(idempotency_key="k", reference="A", amount_vnd=n + 1))
            for n in range(20)
        ),
        return_exceptions=True,
    )
    assert all(
        isinstance(r, grpc.aio.AioRpcError) and r.code() is grpc.StatusCode.ALREADY_EXISTS for r in results
    )
    again = await client.CreatePayment(create_request(idempotency_key="k", reference="A"))
    assert again.payment.id == first.payment.id
    assert await count_rows(svc, payments, payments.c.agency_id == "agency-storm2") == 1


BAD_FIELDS = [
    ("amount_vnd", 0),
    ("amount_vnd", -5),
    ("amount_vnd", 1_000_000_001),
    ("description", ""),
    ("reference", "x" * 101),
    ("return_url", "http://agency.example.vn/back"),
    ("return_url", "not a url"),
    ("return_url", "http://localhost:8000/back"),
    ("idempotency_key", ""),
    ("payer_email", "nobody"),
]


async def test_invalid_requests_name_the_field(svc):
    for field, value in BAD_FIELDS:
        code, reason = await rpc_error(svc.stub("agency-a").CreatePayment(create_request(**{field: value})))
        assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PAYMENT_REQUEST_INVALID"), field
    assert await count_rows(svc, payments) == 0


async def test_vnpay_payment_gets_a_signed_redirect(svc):
    client = svc.stub("agency-a")
    created = await client.CreatePayment(
        create_request(provider=pb.PAYMENT_PROVIDER_VNPAY, amount_vnd=250_000)
    )
    started = await client.StartPayment(
        pb.StartPaymentRequest(payment_id=created.payment.id, payer_ip="10.1.2.3")
    )
    url = started.next_action.redirect_url
    assert url.startswith("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?")
    assert "vnp_Amount=25000000" in url and "vnp_TmnCode=LTTEST01" in url and "vnp_SecureHash=" in url
    again = await client.StartPayment(pb.StartPaymentRequest(payment_id=created.payment.id))
    assert again.next_action.redirect_url == url
    code, reason = await rpc_error(
        client.StartPayment(
            pb.StartPaymentRequest(
                payment_id=created.payment.id, sandbox_scenario=pb.SANDBOX_SCENARIO_DECLINED
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "SANDBOX_SCENARIO_NOT_ALLOWED")
