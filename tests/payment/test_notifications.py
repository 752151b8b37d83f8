"""Provider notifications over the real HTTP endpoint: forged, replayed, unknown, wrong amount, late.

Documented handling (VNPay's RspCodes, HTTP 200): forged or unsigned -> 97, nothing changes; unknown payment
-> 01; amount mismatch -> 04, nothing changes; replay or duplicate of a final payment -> 02, nothing changes;
success after expiry -> 02, the payment stays EXPIRED, no ledger, and the reconciliation report lists it.
"""

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus, urlencode
from zoneinfo import ZoneInfo

import aiohttp

from lienthong.common.v1 import date_pb2
from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.adapters.tables import ledger_transactions, payment_transitions, provider_notifications
from lienthong_payment.handlers.expiry import expire_due

from .conftest import count_rows, create_request, ledger_ok, paid_payment

ABANDONED = pb.SANDBOX_SCENARIO_ABANDONED


async def post(svc, provider, params, method="POST", status=200):
    url = f"http://127.0.0.1:{svc.server.http_port}/payment/v1/notifications/{provider}"
    async with aiohttp.ClientSession() as http:
        kwargs = {"data": params} if method == "POST" else {"params": params}
        async with http.request(method, url, **kwargs) as response:
            assert response.status == status
            return (await response.json())["RspCode"]


async def started(svc, agency="agency-n", **overrides):
    client = svc.stub(agency)
    payment = (await client.CreatePayment(create_request(**overrides))).payment
    scenario = ABANDONED if payment.provider == pb.PAYMENT_PROVIDER_SANDBOX else 0
    await client.StartPayment(pb.StartPaymentRequest(payment_id=payment.id, sandbox_scenario=scenario))
    return payment


async def state_of(svc, payment_id, agency="agency-n"):
    return (await svc.stub(agency).GetPayment(pb.GetPaymentRequest(payment_id=payment_id))).payment.state


async def test_forged_and_unsigned_notifications_change_nothing(svc):
    payment = await started(svc)
    genuine = svc.sandbox.notification(payment.id, payment.amount_vnd)
    forged = {**genuine, "sbx_SecureHash": hmac.new(b"guess", b"x", hashlib.sha512).hexdigest()}
    tampered = {**genuine, "sbx_Amount": "100"}
    unsigned = {k: v for k, v in genuine.items() if k != "sbx_SecureHash"}
    for params in (forged, tampered, unsigned):
        assert await post(svc, "sandbox", params) == "97"
    assert await state_of(svc, payment.id) == pb.PAYMENT_STATE_STARTED
    assert await count_rows(svc, ledger_transactions) == 0
    assert await count_rows(svc, provider_notifications) == 0


async def test_replayed_notification_is_acknowledged_and_ignored(svc):
    payment = await started(svc)
    note = svc.sandbox.notification(payment.id, payment.amount_vnd)
    assert await post(svc, "sandbox", note) == "00"
    moves = await count_rows(svc, payment_transitions, payment_transitions.c.payment_id == payment.id)
    assert await post(svc, "sandbox", note) == "02"
    assert (
        await post(svc, "sandbox", svc.sandbox.notification(payment.id, payment.amount_vnd, succeeded=False))
        == "02"
    )
    assert await state_of(svc, payment.id) == pb.PAYMENT_STATE_SUCCESS
    assert await count_rows(svc, payment_transitions, payment_transitions.c.payment_id == payment.id) == moves
    assert await count_rows(svc, ledger_transactions) == 1
    assert await ledger_ok(svc)


async def test_unknown_payment_and_amount_mismatch(svc):
    assert await post(svc, "sandbox", svc.sandbox.notification(uuid.uuid4().hex, 10_000)) == "01"
    payment = await started(svc)
    assert await post(svc, "sandbox", svc.sandbox.notification(payment.id, payment.amount_vnd + 1)) == "04"
    assert await state_of(svc, payment.id) == pb.PAYMENT_STATE_STARTED
    assert await count_rows(svc, ledger_transactions) == 0
    assert await post(svc, "nosuchprovider", {"a": "b"}, status=404) == "99"


async def test_success_after_expiry_is_kept_for_reconciliation_only(svc):
    payment = await started(svc)
    later = datetime.now(UTC) + timedelta(minutes=91)
    assert await expire_due(svc.assembly.uow(), svc.assembly.services, later) == 1
    assert await state_of(svc, payment.id) == pb.PAYMENT_STATE_EXPIRED
    assert await post(svc, "sandbox", svc.sandbox.notification(payment.id, payment.amount_vnd)) == "02"
    got = await svc.stub("agency-n").GetPayment(pb.GetPaymentRequest(payment_id=payment.id))
    assert got.payment.state == pb.PAYMENT_STATE_EXPIRED and got.payment.failure_reason == "TIMEOUT"
    assert got.transitions[-1].cause == "expiry"
    assert await count_rows(svc, ledger_transactions) == 0
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))  # the business day the late success arrived
    report = await svc.stub("agency-n").GetReconciliationReport(
        pb.GetReconciliationReportRequest(
            date=date_pb2.Date(year=today.year, month=today.month, day=today.day)
        )
    )
    assert [m.kind for m in report.mismatches] == ["LATE_PROVIDER_SUCCESS"]
    assert report.mismatches[0].payment_id == payment.id


async def test_sandbox_scenarios(svc):
    client = svc.stub("agency-n")
    outcomes = {}
    for scenario in (pb.SANDBOX_SCENARIO_DECLINED, pb.SANDBOX_SCENARIO_DUPLICATE_NOTIFICATION):
        payment = (await client.CreatePayment(create_request())).payment
        await client.StartPayment(pb.StartPaymentRequest(payment_id=payment.id, sandbox_scenario=scenario))
        await svc.settle()
        outcomes[scenario] = (await client.GetPayment(pb.GetPaymentRequest(payment_id=payment.id))).payment
    declined = outcomes[pb.SANDBOX_SCENARIO_DECLINED]
    assert (declined.state, declined.failure_reason) == (pb.PAYMENT_STATE_FAILED, "DECLINED")
    duplicated = outcomes[pb.SANDBOX_SCENARIO_DUPLICATE_NOTIFICATION]
    assert duplicated.state == pb.PAYMENT_STATE_SUCCESS
    assert (
        await count_rows(svc, provider_notifications, provider_notifications.c.payment_id == duplicated.id)
        == 2
    )
    assert await count_rows(svc, ledger_transactions) == 1


def vnpay_ipn(payment, *, secret=b"vnpay-test-secret", amount=None, response="00"):
    """An IPN built the way VNPay documents it, independently of the adapter under test."""
    params = {
        "vnp_TmnCode": "LTTEST01",
        "vnp_Amount": str((amount or payment.amount_vnd) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_PayDate": "20261127153000",
        "vnp_OrderInfo": "Le phi cap ban sao",
        "vnp_TransactionNo": "14226112",
        "vnp_ResponseCode": response,
        "vnp_TransactionStatus": response,
        "vnp_TxnRef": payment.id,
    }
    data = urlencode(sorted(params.items()), quote_via=quote_plus)
    signature = hmac.new(secret, data.encode(), hashlib.sha512).hexdigest()
    return {**params, "vnp_SecureHashType": "HmacSHA512", "vnp_SecureHash": signature}


async def test_vnpay_ipn(svc):
    payment = await started(svc, provider=pb.PAYMENT_PROVIDER_VNPAY)
    assert await post(svc, "vnpay", vnpay_ipn(payment, secret=b"wrong"), "GET") == "97"
    assert await post(svc, "vnpay", vnpay_ipn(payment, amount=payment.amount_vnd - 1), "GET") == "04"
    assert await state_of(svc, payment.id) == pb.PAYMENT_STATE_STARTED
    ipn = vnpay_ipn(payment)
    assert await post(svc, "vnpay", ipn, "GET") == "00"
    assert await post(svc, "vnpay", ipn, "GET") == "02"
    got = (await svc.stub("agency-n").GetPayment(pb.GetPaymentRequest(payment_id=payment.id))).payment
    assert (got.state, got.provider_reference) == (pb.PAYMENT_STATE_SUCCESS, "14226112")
    declined = await started(svc, provider=pb.PAYMENT_PROVIDER_VNPAY)
    assert await post(svc, "vnpay", vnpay_ipn(declined, response="24"), "GET") == "00"
    assert await state_of(svc, declined.id) == pb.PAYMENT_STATE_FAILED
    assert await ledger_ok(svc)


async def test_repeated_parameter_is_refused(svc):
    payment = await paid_payment(svc, "agency-n")
    url = f"http://127.0.0.1:{svc.server.http_port}/payment/v1/notifications/sandbox"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params=[("sbx_TxnRef", payment.id), ("sbx_TxnRef", "other")]) as response:
            assert (await response.json())["RspCode"] == "99"


async def test_vnpay_payer_return_records_submitted_and_redirects_to_the_agency(svc):
    payment = await started(
        svc, provider=pb.PAYMENT_PROVIDER_VNPAY, return_url="https://dvc.example.vn/back?case=7"
    )
    redirect = (
        await svc.stub("agency-n").StartPayment(pb.StartPaymentRequest(payment_id=payment.id))
    ).next_action
    assert (
        f"vnp_ReturnUrl={quote_plus('https://pay.lienthong.test/payment/v1/returns/vnpay')}"
        in redirect.redirect_url
    )
    url = f"http://127.0.0.1:{svc.server.http_port}/payment/v1/returns/vnpay"
    async with aiohttp.ClientSession() as http:
        async with http.get(
            url, params=vnpay_ipn(payment, secret=b"forged"), allow_redirects=False
        ) as response:
            assert response.status == 400
        assert await state_of(svc, payment.id) == pb.PAYMENT_STATE_STARTED
        async with http.get(url, params=vnpay_ipn(payment), allow_redirects=False) as response:
            assert response.status == 302
            assert (
                response.headers["Location"] == f"https://dvc.example.vn/back?case=7&payment_id={payment.id}"
            )
    assert (
        await state_of(svc, payment.id) == pb.PAYMENT_STATE_SUBMITTED
    )  # the browser never settles a payment
    assert await post(svc, "vnpay", vnpay_ipn(payment), "GET") == "00"
    got = await svc.stub("agency-n").GetPayment(pb.GetPaymentRequest(payment_id=payment.id))
    assert [t.cause for t in got.transitions] == ["api.start", "provider.return", "provider.notification"]
    assert got.payment.state == pb.PAYMENT_STATE_SUCCESS
