"""Ledger invariants (RPC and operator command) and the daily reconciliation report with its CSV."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import grpc
from sqlalchemy import insert

from lienthong.common.v1 import date_pb2
from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.adapters.tables import ledger_lines, ledger_transactions
from lienthong_payment.cli import check_ledger as check_ledger_command

from .conftest import create_request, paid_payment, rpc_error


def today() -> date_pb2.Date:
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    return date_pb2.Date(year=now.year, month=now.month, day=now.day)


async def test_invariants_hold_and_a_broken_ledger_is_caught(svc):
    for agency, amount in (("agency-x", 70_000), ("agency-y", 30_000)):
        paid = await paid_payment(svc, agency, amount=amount)
        await svc.stub(agency).CreateRefund(
            pb.CreateRefundRequest(
                payment_id=paid.id, amount_vnd=5_000, refund_amount_available_vnd=amount, idempotency_key="k"
            )
        )
    url = svc.assembly.app.settings.database_url
    stub = svc.stub("agency-x")._stub
    code, _ = await rpc_error(
        stub.CheckLedgerInvariants(pb.CheckLedgerInvariantsRequest(), metadata=svc.metadata("agency-x"))
    )
    assert code is grpc.StatusCode.PERMISSION_DENIED
    operator = svc.mint.metadata(["platform.admin"], agency="platform")
    check = await stub.CheckLedgerInvariants(pb.CheckLedgerInvariantsRequest(), metadata=operator)
    assert (check.ok, check.agencies_checked, check.transactions_checked) == (True, 2, 4)
    assert (await check_ledger_command(url))["ok"] is True

    # Someone writes a one-sided line behind the service's back: both the RPC and the command see it.
    async with svc.assembly.engine.begin() as session:
        await session.execute(
            insert(ledger_transactions).values(
                id="forged-txn",
                agency_id="agency-x",
                kind="payment",
                payment_id="none",
                refund_id="",
                source_key="payment:none",
                time=datetime.now(ZoneInfo("UTC")),
            )
        )
        await session.execute(
            insert(ledger_lines).values(
                transaction_id="forged-txn",
                agency_id="agency-x",
                account="provider:sandbox:clearing",
                amount_vnd=1_000,
                time=datetime.now(ZoneInfo("UTC")),
            )
        )
    check = await stub.CheckLedgerInvariants(pb.CheckLedgerInvariantsRequest(), metadata=operator)
    assert not check.ok
    assert {(v.agency_id, v.kind) for v in check.violations} == {
        ("agency-x", "TRANSACTION_NOT_BALANCED"),
        ("agency-x", "LEDGER_NOT_ZERO"),
        ("agency-x", "LEDGER_PAYMENTS_MISMATCH"),
    }
    command = await check_ledger_command(url)
    assert command["ok"] is False and len(command["violations"]) == 3


async def test_daily_reconciliation_report_and_csv(svc):
    client = svc.stub("agency-rec")
    paid = await paid_payment(svc, "agency-rec", amount=200_000)
    await client.CreateRefund(
        pb.CreateRefundRequest(
            payment_id=paid.id, amount_vnd=50_000, refund_amount_available_vnd=200_000, idempotency_key="r"
        )
    )
    declined = (await client.CreatePayment(create_request(amount_vnd=40_000))).payment
    await client.StartPayment(
        pb.StartPaymentRequest(payment_id=declined.id, sandbox_scenario=pb.SANDBOX_SCENARIO_DECLINED)
    )
    await svc.settle()
    await client.CreatePayment(create_request(amount_vnd=10_000))
    await paid_payment(svc, "agency-other", amount=999_000)
    report = await client.GetReconciliationReport(
        pb.GetReconciliationReportRequest(date=today(), include_csv=True)
    )
    totals = {t.state: (t.count, t.amount_vnd) for t in report.payment_totals}
    assert totals == {
        pb.PAYMENT_STATE_SUCCESS: (1, 200_000),
        pb.PAYMENT_STATE_FAILED: (1, 40_000),
        pb.PAYMENT_STATE_CREATED: (1, 10_000),
    }
    assert (report.refund_count, report.refunded_amount_vnd, report.net_collected_vnd) == (1, 50_000, 150_000)
    balances = {b.account: b.balance_vnd for b in report.ledger_balances}
    assert balances == {
        "agency:agency-rec:collected": -200_000,
        "agency:agency-rec:refunded": 50_000,
        "provider:sandbox:clearing": 150_000,
    }
    assert not report.mismatches
    rows = list(csv.DictReader(io.StringIO(report.csv.decode("utf-8"))))
    assert sorted(r["record"] for r in rows) == ["payment", "payment", "payment", "refund"]
    assert {r["payment_id"] for r in rows} >= {paid.id, declined.id}
    code, reason = await rpc_error(
        client.GetReconciliationReport(
            pb.GetReconciliationReportRequest(date=date_pb2.Date(year=2026, month=2, day=30))
        )
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "DATE_INVALID")
