"""Finding 5 of issue #13: payments left STARTED because the provider's notification was lost (a kill -9 just
after StartPayment lost the sandbox's in-memory send) are resolved: the sandbox re-sends its notification until
it is applied, and the resolver asks the provider (the sandbox's scenario, VNPay's querydr against a fake
merchant API that checks our signature and signs its answer) on a schedule and by operator command."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import timedelta

import pytest
from aiohttp import web

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment import cli
from lienthong_payment.adapters.tables import ledger_transactions
from lienthong_payment.adapters.vnpay_query import ANSWER_FIELDS, REQUEST_FIELDS
from lienthong_payment.handlers.resolve import StuckPaymentJob, resolve_stuck

from .conftest import TEST_KEYS, count_rows, create_request, ledger_ok

pytestmark = pytest.mark.postgres

VNPAY_SECRET = b"vnpay-test-secret"
HOUR = timedelta(hours=1)


async def lost_notice(svc, agency="agency-stuck", scenario=0, **overrides):
    """A started payment whose provider notification was lost (the process died before sending it)."""
    client = svc.stub(agency)
    payment = (await client.CreatePayment(create_request(**overrides))).payment
    deliver, svc.sandbox.deliver = svc.sandbox.deliver, None  # after_start schedules nothing: as if killed
    try:
        await client.StartPayment(pb.StartPaymentRequest(payment_id=payment.id, sandbox_scenario=scenario))
    finally:
        svc.sandbox.deliver = deliver
    return payment


async def state_of(svc, payment_id, agency="agency-stuck"):
    return (await svc.stub(agency).GetPayment(pb.GetPaymentRequest(payment_id=payment_id))).payment


async def test_the_sandbox_sends_a_lost_notification_again(svc):
    payment = await lost_notice(svc)
    a, intake = svc.assembly, svc.assembly.intake
    assert (await state_of(svc, payment.id)).state == pb.PAYMENT_STATE_STARTED
    done = await resolve_stuck(a.uow(), a.services, intake, HOUR, redeliver_after=timedelta(0))
    assert (done.checked, done.redelivered) == (1, 1)
    assert (await state_of(svc, payment.id)).state == pb.PAYMENT_STATE_SUCCESS
    assert await count_rows(svc, ledger_transactions) == 1 and await ledger_ok(svc)
    again = await resolve_stuck(a.uow(), a.services, intake, HOUR, redeliver_after=timedelta(0))
    assert again.checked == 0  # acknowledged: nothing outstanding


async def test_the_service_runs_the_resolver_on_a_schedule(svc):
    assert any(
        getattr(job, "__self__", None).__class__ is StuckPaymentJob for job in svc.assembly.app.background
    )
    payment = await lost_notice(svc)
    job = StuckPaymentJob(
        svc.assembly.uow,
        svc.assembly.services,
        svc.assembly.intake,
        0.05,
        older_than=HOUR,
        redeliver_after=timedelta(0),
    )
    task = asyncio.create_task(job.run())
    try:
        for _ in range(100):
            if (await state_of(svc, payment.id)).state == pb.PAYMENT_STATE_SUCCESS:
                break
            await asyncio.sleep(0.05)
        assert (await state_of(svc, payment.id)).state == pb.PAYMENT_STATE_SUCCESS
    finally:
        task.cancel()


async def test_the_query_resolves_by_the_providers_outcome(svc):
    paid = await lost_notice(svc)
    declined = await lost_notice(svc, scenario=pb.SANDBOX_SCENARIO_DECLINED)
    abandoned = await lost_notice(svc, scenario=pb.SANDBOX_SCENARIO_ABANDONED)
    done = await resolve_stuck(svc.assembly.uow(), svc.assembly.services, svc.assembly.intake, timedelta(0))
    assert (done.checked, done.resolved, done.still_open) == (3, 2, 1)
    assert (await state_of(svc, paid.id)).state == pb.PAYMENT_STATE_SUCCESS
    failed = await state_of(svc, declined.id)
    assert failed.state == pb.PAYMENT_STATE_FAILED and failed.failure_reason == "DECLINED"
    assert (await state_of(svc, abandoned.id)).state == pb.PAYMENT_STATE_STARTED  # left to expiry
    assert await ledger_ok(svc)


def _signed_answer(body: dict, status: str, *, secret: bytes = VNPAY_SECRET) -> dict:
    answer = {
        "vnp_ResponseId": "r1",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": body["vnp_TmnCode"],
        "vnp_TxnRef": body["vnp_TxnRef"],
        "vnp_Amount": "15000000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261205120000",
        "vnp_TransactionNo": "14422574",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": status,
        "vnp_OrderInfo": body["vnp_OrderInfo"],
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    data = "|".join(answer[name] for name in ANSWER_FIELDS)
    answer["vnp_SecureHash"] = hmac.new(secret, data.encode(), hashlib.sha512).hexdigest()
    return answer


@pytest.fixture
async def fake_vnpay(svc):
    """VNPay's merchant API: checks the querydr signature, answers each payment with a status chosen by the test."""
    statuses: dict[str, str] = {}
    seen: list[dict] = []
    forge = {"on": False}

    async def transaction(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body)
        data = "|".join(str(body[name]) for name in REQUEST_FIELDS)
        if body.get("vnp_SecureHash") != hmac.new(VNPAY_SECRET, data.encode(), hashlib.sha512).hexdigest():
            return web.json_response({"vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"})
        status = statuses.get(body["vnp_TxnRef"], "01")
        return web.json_response(
            _signed_answer(body, status, secret=b"forged" if forge["on"] else VNPAY_SECRET)
        )

    http = web.Application()
    http.router.add_post("/merchant_webapi/api/transaction", transaction)
    runner = web.AppRunner(http)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    provider = svc.assembly.providers["vnpay"]
    provider.api_url = f"http://127.0.0.1:{port}/merchant_webapi/api/transaction"
    yield statuses, seen, forge
    await runner.cleanup()


async def test_vnpay_payments_are_resolved_with_querydr(svc, fake_vnpay):
    statuses, seen, forge = fake_vnpay
    client = svc.stub("agency-stuck")
    ids = []
    for _ in range(3):
        payment = (await client.CreatePayment(create_request(provider=pb.PAYMENT_PROVIDER_VNPAY))).payment
        await client.StartPayment(pb.StartPaymentRequest(payment_id=payment.id))
        ids.append(payment.id)
    paid, failed, pending = ids
    statuses.update({paid: "00", failed: "02"})

    forge["on"] = True  # an answer whose signature does not verify changes nothing
    done = await resolve_stuck(svc.assembly.uow(), svc.assembly.services, svc.assembly.intake, timedelta(0))
    assert done.provider_unavailable == 3 and done.resolved == 0
    assert (await state_of(svc, paid)).state == pb.PAYMENT_STATE_STARTED

    forge["on"] = False
    done = await resolve_stuck(svc.assembly.uow(), svc.assembly.services, svc.assembly.intake, timedelta(0))
    assert (done.resolved, done.still_open) == (2, 1)
    success = await state_of(svc, paid)
    assert success.state == pb.PAYMENT_STATE_SUCCESS and success.provider_reference == "14422574"
    assert (await state_of(svc, failed)).state == pb.PAYMENT_STATE_FAILED
    assert (await state_of(svc, pending)).state == pb.PAYMENT_STATE_STARTED
    # The query names the payment URL's creation date as the transaction date, as VNPay requires.
    assert all(len(body["vnp_TransactionDate"]) == 14 and body["vnp_Command"] == "querydr" for body in seen)
    assert await ledger_ok(svc)


async def test_the_operator_command_resolves_stuck_payments(svc, pg_url, monkeypatch):
    payment = await lost_notice(svc)
    for name, value in {
        "DATABASE_URL": pg_url,
        "BUS_URL": "memory://resolve-cli",
        "SANDBOX_ENABLED": "true",
        "SANDBOX_SECRET": "another-process-secret",
        "ENCRYPTION_KEYS": TEST_KEYS,
    }.items():
        monkeypatch.setenv(f"LIENTHONG_PAYMENT_{name}", value)
    result = await cli.resolve_stuck(0.0, 100)
    assert result["resolved"] == 1 and result["checked"] == 1
    assert (await state_of(svc, payment.id)).state == pb.PAYMENT_STATE_SUCCESS
