"""The embedded default: the same service on SQLite (migrations in batch mode, BEGIN IMMEDIATE), and the
operator command ``lienthong payment check-ledger``."""

import asyncio
import uuid

import grpc

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong.payment.v1 import payment_pb2_grpc
from lienthong_cli.main import main
from lienthong_payment.bootstrap import assemble, load_settings
from lienthong_runtime import migrations
from lienthong_runtime.server import Server
from lienthong_runtime.testing import TokenMint

from .conftest import ALL_SCOPES, create_request


async def test_payment_and_refund_race_on_sqlite(sqlite_url, unix_socket, tmp_path):
    await migrations.upgrade_async("lienthong_payment", sqlite_url, "payment")
    mint = TokenMint()
    settings = load_settings(
        database_url=sqlite_url,
        bus_url=f"memory://{uuid.uuid4().hex}",
        port=-1,
        unix_socket=unix_socket,
        http_port=0,
        sandbox_notify_delay_seconds=0.0,
        dev_mode=True,
        data_dir=str(tmp_path),
    )
    assembly = await assemble(settings, verifier=mint.verifier())
    server = Server(assembly.app)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"unix:{unix_socket}") as channel:
            stub = payment_pb2_grpc.PaymentServiceStub(channel)
            md = mint.metadata(ALL_SCOPES, agency="agency-embedded")
            request = create_request(amount_vnd=30_000, idempotency_key="same")
            created = await asyncio.gather(*(stub.CreatePayment(request, metadata=md) for _ in range(20)))
            payment_id = created[0].payment.id
            assert {c.payment.id for c in created} == {payment_id}
            await stub.StartPayment(pb.StartPaymentRequest(payment_id=payment_id), metadata=md)
            await asyncio.wait_for(assembly.providers["sandbox"].idle(), timeout=10)
            refunds = [
                pb.CreateRefundRequest(
                    payment_id=payment_id,
                    amount_vnd=20_000,
                    idempotency_key=f"r{n}",
                    refund_amount_available_vnd=30_000,
                )
                for n in range(5)
            ]
            results = await asyncio.gather(
                *(stub.CreateRefund(r, metadata=md) for r in refunds), return_exceptions=True
            )
            assert sum(not isinstance(r, Exception) for r in results) == 1
            got = await stub.GetPayment(pb.GetPaymentRequest(payment_id=payment_id), metadata=md)
            assert (got.payment.state, got.payment.refunded_amount_vnd) == (pb.PAYMENT_STATE_SUCCESS, 20_000)
    finally:
        await server.stop(0)


def test_operator_commands(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'payment.db'}"
    assert main(["payment", "check-ledger", "--database-url", url]) == 2  # not migrated: said, no traceback
    assert "lienthong migrate payment" in capsys.readouterr().err
    migrations.upgrade("lienthong_payment", url, "payment")
    assert main(["payment", "check-ledger", "--database-url", url]) == 0
    assert '"ok": true' in capsys.readouterr().out
    assert main(["payment", "reconcile", "agency-a", "2026-11-27", "--database-url", url]) == 0
    assert capsys.readouterr().out.startswith("record,payment_id,refund_id,")
