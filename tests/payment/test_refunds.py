"""Refunds: full and partial, never above what was paid even when they race, with the ledger balanced."""

import asyncio

import grpc

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.adapters.tables import ledger_transactions

from .conftest import count_rows, ledger_ok, paid_payment, rpc_error


def refund(payment_id, amount, available, key):
    return pb.CreateRefundRequest(
        payment_id=payment_id,
        amount_vnd=amount,
        refund_amount_available_vnd=available,
        idempotency_key=key,
        reason="hồ sơ bị từ chối",
    )


async def test_refund_race_never_exceeds_the_payment(svc):
    client = svc.stub("agency-race")
    payment = await paid_payment(svc, "agency-race", amount=100_000)

    async def one(n: int) -> int:
        # Each caller re-reads the available amount when it loses a race, as a careful client would.
        for _ in range(40):
            available = (await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))).payment
            try:
                done = await client.CreateRefund(
                    refund(payment.id, 7_000, available.refund_amount_available_vnd, f"race-{n}")
                )
                return done.refund.amount_vnd if done.refund.state == pb.REFUND_STATE_SUCCESS else 0
            except grpc.aio.AioRpcError as exc:
                assert exc.code() is grpc.StatusCode.FAILED_PRECONDITION
                if available.refund_amount_available_vnd < 7_000:
                    return 0
        raise AssertionError("no answer after 40 attempts")

    refunded = await asyncio.gather(*(one(n) for n in range(20)))
    assert sum(refunded) == 98_000 and refunded.count(7_000) == 14  # 20 x 7,000 asked, 100,000 paid
    final = (await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))).payment
    assert final.refunded_amount_vnd == 98_000 and final.refund_amount_available_vnd == 2_000
    assert await count_rows(svc, ledger_transactions, ledger_transactions.c.kind == "refund") == 14
    assert await ledger_ok(svc)


async def test_racing_refunds_with_one_stale_view_only_one_wins(svc):
    client = svc.stub("agency-race2")
    payment = await paid_payment(svc, "agency-race2", amount=50_000)
    results = await asyncio.gather(
        *(client.CreateRefund(refund(payment.id, 30_000, 50_000, f"stale-{n}")) for n in range(20)),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 1 and won[0].refund.amount_vnd == 30_000
    assert all(r.code() is grpc.StatusCode.FAILED_PRECONDITION for r in results if isinstance(r, Exception))
    assert await ledger_ok(svc)


async def test_mismatch_exceed_idempotency_and_full_refund(svc):
    client = svc.stub("agency-r")
    payment = await paid_payment(svc, "agency-r", amount=80_000)
    code, reason = await rpc_error(client.CreateRefund(refund(payment.id, 10_000, 70_000, "r1")))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "REFUND_AMOUNT_AVAILABLE_MISMATCH")
    code, reason = await rpc_error(client.CreateRefund(refund(payment.id, 90_000, 80_000, "r2")))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "REFUND_EXCEEDS_AVAILABLE")
    first = await client.CreateRefund(refund(payment.id, 30_000, 80_000, "r3"))
    assert first.refund.state == pb.REFUND_STATE_SUCCESS
    retry = await client.CreateRefund(refund(payment.id, 30_000, 80_000, "r3"))  # stale belief, same key
    assert retry.refund.id == first.refund.id
    code, reason = await rpc_error(client.CreateRefund(refund(payment.id, 31_000, 50_000, "r3")))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED")
    rest = await client.CreateRefund(refund(payment.id, 50_000, 50_000, "r4"))
    assert rest.refund.state == pb.REFUND_STATE_SUCCESS
    listed = await client.ListRefunds(pb.ListRefundsRequest(payment_id=payment.id, page_size=1))
    assert listed.refunds[0].id == rest.refund.id and listed.next_page_token
    page2 = await client.ListRefunds(
        pb.ListRefundsRequest(payment_id=payment.id, page_token=listed.next_page_token)
    )
    assert [r.id for r in page2.refunds] == [first.refund.id] and not page2.next_page_token
    final = (await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))).payment
    assert (final.refunded_amount_vnd, final.refund_amount_available_vnd) == (80_000, 0)
    assert await ledger_ok(svc)


async def test_refund_left_submitted_by_a_crash_is_driven_again(svc):
    from datetime import UTC, datetime, timedelta

    from lienthong_payment.domain import refund as rules
    from lienthong_payment.handlers.refunds import retry_stale_refunds

    payment = await paid_payment(svc, "agency-crash", amount=40_000)
    uow, services = svc.assembly.uow(), svc.assembly.services
    # What create_refund commits before asking the provider; then the process "dies".
    async with uow:
        locked = await uow.payments.get(payment.id, lock=True)
        assert locked is not None
        request = rules.RefundRequest(payment.id, 15_000, 40_000, "", "crash-key")
        refund = rules.reserve(locked, request, refund_id="refund-crash", now=services.clock())
        await uow.refunds.add(refund)
        await uow.payments.save(locked)
    client = svc.stub("agency-crash")
    reserved = (await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))).payment
    assert (reserved.refund_amount_available_vnd, reserved.refunded_amount_vnd) == (25_000, 0)
    assert await retry_stale_refunds(uow, services, timedelta(minutes=5)) == 0  # not stale yet
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert await retry_stale_refunds(uow, services, timedelta(minutes=5), now=later) == 1
    got = (await client.GetRefund(pb.GetRefundRequest(refund_id="refund-crash"))).refund
    assert got.state == pb.REFUND_STATE_SUCCESS
    final = (await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))).payment
    assert (final.refund_amount_available_vnd, final.refunded_amount_vnd) == (25_000, 15_000)
    assert await retry_stale_refunds(uow, services, timedelta(minutes=5), now=later) == 0
    assert await ledger_ok(svc)
