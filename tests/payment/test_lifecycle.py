"""Lifecycle through the API: start once, cancel, expiry by the job, search and paging, events via the outbox."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.payment.v1 import events_pb2
from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.domain.lifecycle import StartOptions
from lienthong_payment.handlers import payments
from lienthong_payment.handlers.expiry import ExpiryJob, expire_due
from lienthong_runtime.errors import FailedPrecondition
from lienthong_runtime.events import connect_bus

from .conftest import create_request, paid_payment, rpc_error


async def test_start_cancel_and_forward_only(svc):
    client = svc.stub("agency-l")
    payment = (await client.CreatePayment(create_request())).payment
    assert payment.state == pb.PAYMENT_STATE_CREATED
    assert payment.expire_time.ToDatetime() - payment.create_time.ToDatetime() == timedelta(minutes=90)
    start = pb.StartPaymentRequest(payment_id=payment.id, sandbox_scenario=pb.SANDBOX_SCENARIO_ABANDONED)
    first = await client.StartPayment(start)
    assert first.payment.state == pb.PAYMENT_STATE_STARTED and first.next_action.redirect_url
    assert (await client.StartPayment(start)).next_action.redirect_url == first.next_action.redirect_url
    cancelled = await client.CancelPayment(
        pb.CancelPaymentRequest(payment_id=payment.id, reason="trùng hồ sơ")
    )
    assert cancelled.payment.state == pb.PAYMENT_STATE_CANCELLED
    again = await client.CancelPayment(pb.CancelPaymentRequest(payment_id=payment.id))
    assert again.payment.state == pb.PAYMENT_STATE_CANCELLED
    code, reason = await rpc_error(client.StartPayment(start))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_ALREADY_STARTED")
    got = await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))
    assert [(t.from_state, t.to_state, t.cause, t.detail) for t in got.transitions] == [
        (pb.PAYMENT_STATE_CREATED, pb.PAYMENT_STATE_STARTED, "api.start", ""),
        (pb.PAYMENT_STATE_STARTED, pb.PAYMENT_STATE_CANCELLED, "api.cancel", "trùng hồ sơ"),
    ]
    paid = await paid_payment(svc, "agency-l")
    code, reason = await rpc_error(client.CancelPayment(pb.CancelPaymentRequest(payment_id=paid.id)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_NOT_CANCELLABLE")


async def test_expiry_job_expires_only_unfinished_payments(svc):
    client = svc.stub("agency-e")
    waiting = (await client.CreatePayment(create_request())).payment
    paid = await paid_payment(svc, "agency-e")
    uow, services = svc.assembly.uow(), svc.assembly.services
    assert await expire_due(uow, services, datetime.now(UTC) + timedelta(minutes=89)) == 0
    assert await expire_due(uow, services, datetime.now(UTC) + timedelta(minutes=91)) == 1
    assert await expire_due(uow, services, datetime.now(UTC) + timedelta(minutes=91)) == 0
    got = await client.GetPayment(pb.GetPaymentRequest(payment_id=waiting.id))
    assert (got.payment.state, got.payment.failure_reason) == (pb.PAYMENT_STATE_EXPIRED, "TIMEOUT")
    assert (
        await client.GetPayment(pb.GetPaymentRequest(payment_id=paid.id))
    ).payment.state == pb.PAYMENT_STATE_SUCCESS


async def test_search_filters_and_pages(svc):
    client = svc.stub("agency-s")
    for n in range(5):
        await client.CreatePayment(create_request(reference=f"REF-{n % 2}"))
    paid = await paid_payment(svc, "agency-s")
    seen, token = [], ""
    for _ in range(10):
        page = await client.SearchPayments(pb.SearchPaymentsRequest(page_size=2, page_token=token))
        seen += [p.id for p in page.payments]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == 6
    assert len((await client.SearchPayments(pb.SearchPaymentsRequest(reference="REF-1"))).payments) == 2
    success = await client.SearchPayments(pb.SearchPaymentsRequest(states=[pb.PAYMENT_STATE_SUCCESS]))
    assert [p.id for p in success.payments] == [paid.id]
    future = Timestamp()
    future.FromDatetime(datetime.now(UTC) + timedelta(hours=1))
    assert not (await client.SearchPayments(pb.SearchPaymentsRequest(create_time_start=future))).payments
    assert len((await client.SearchPayments(pb.SearchPaymentsRequest(create_time_end=future))).payments) == 6
    code, reason = await rpc_error(client.SearchPayments(pb.SearchPaymentsRequest(page_token="garbage!")))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PAGE_TOKEN_INVALID")


async def test_events_carry_what_the_receipt_needs(svc):
    bus = connect_bus(svc.assembly.app.settings.bus_url)
    received: asyncio.Queue = asyncio.Queue()
    await bus.subscribe(
        "test-receipts",
        [
            "lienthong.payment.v1.PaymentSucceeded",
            "lienthong.payment.v1.PaymentFailed",
            "lienthong.payment.v1.PaymentRefunded",
        ],
        received.put,
    )
    paid = await paid_payment(svc, "agency-ev", amount=120_000)
    client = svc.stub("agency-ev")
    await client.CreateRefund(
        pb.CreateRefundRequest(
            payment_id=paid.id, amount_vnd=20_000, refund_amount_available_vnd=120_000, idempotency_key="ev"
        )
    )
    open_one = (await client.CreatePayment(create_request())).payment
    await client.CancelPayment(pb.CancelPaymentRequest(payment_id=open_one.id))
    envelopes = [await asyncio.wait_for(received.get(), timeout=10) for _ in range(3)]
    by_type = {e.type.rsplit(".", 1)[1]: e for e in envelopes}
    assert all(e.agency_id == "agency-ev" and e.source == "payment" for e in envelopes)
    succeeded = events_pb2.PaymentSucceeded()
    by_type["PaymentSucceeded"].payload.Unpack(succeeded)
    assert (succeeded.payment_id, succeeded.amount_vnd, succeeded.payer_email, succeeded.provider) == (
        paid.id,
        120_000,
        "citizen@example.vn",
        "sandbox",
    )
    assert succeeded.reference == paid.reference and succeeded.finish_time.seconds
    refunded = events_pb2.PaymentRefunded()
    by_type["PaymentRefunded"].payload.Unpack(refunded)
    assert (refunded.amount_vnd, refunded.refunded_amount_vnd) == (20_000, 20_000)
    failed = events_pb2.PaymentFailed()
    by_type["PaymentFailed"].payload.Unpack(failed)
    assert (failed.payment_id, failed.state) == (open_one.id, "PAYMENT_STATE_CANCELLED")


async def test_expiry_job_runs_in_the_background_and_start_refuses_a_late_payment(svc):
    client = svc.stub("agency-j")
    payment = (await client.CreatePayment(create_request())).payment
    other = (await client.CreatePayment(create_request())).payment
    later = replace(svc.assembly.services, clock=lambda: datetime.now(UTC) + timedelta(minutes=91))
    with pytest.raises(FailedPrecondition) as refused:
        await payments.start_payment(svc.assembly.uow(), later, "agency-j", other.id, StartOptions())
    assert refused.value.reason == "PAYMENT_ALREADY_STARTED"
    job = asyncio.create_task(ExpiryJob(svc.assembly.uow, later, interval=0.05).run())
    try:
        for _ in range(200):
            got = await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))
            if got.payment.state == pb.PAYMENT_STATE_EXPIRED:
                break
            await asyncio.sleep(0.05)
    finally:
        job.cancel()
    assert got.payment.state == pb.PAYMENT_STATE_EXPIRED
    assert (await client.GetPayment(pb.GetPaymentRequest(payment_id=other.id))).payment.state == (
        pb.PAYMENT_STATE_EXPIRED
    )
