"""A database dump alone reveals no payer e-mail: sealed in ``payments``, and the events that carry it (for
notify's receipts) sealed in the outbox until published, then deleted."""

from __future__ import annotations

import uuid

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import inspect, select, text, update

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.payment.v1 import events_pb2
from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.adapters.payments_repo import SqlPaymentRepository
from lienthong_payment.adapters.statements import CoreStatements
from lienthong_payment.adapters.tables import outbox, payments
from lienthong_payment.bootstrap import assemble, load_settings
from lienthong_payment.domain.payment import PaymentState
from lienthong_payment.handlers import events
from lienthong_runtime.crypto import SEALED_EVENT, MissingKey, unseal_event

from .conftest import PaymentService, count_rows, create_request, rpc_error


async def _dump(svc: PaymentService) -> bytes:
    """Every value of every table, as bytes (text UTF-8 encoded, binary as is)."""
    out: list[bytes] = []
    async with svc.assembly.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        for table in tables:
            for row in await conn.execute(text(f'SELECT * FROM "{table}"')):
                out.extend(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
    return b"\x00".join(out)


async def test_raw_database_contents_hold_no_payer_email(svc):
    client = svc.stub("agency-dump")
    emails = [f"nguoi.nop.{n}.{uuid.uuid4().hex[:8]}@example.vn" for n in range(3)]
    paid, cancelled, waiting = [
        (await client.CreatePayment(create_request(amount_vnd=50_000, payer_email=e))).payment for e in emails
    ]
    await client.StartPayment(pb.StartPaymentRequest(payment_id=paid.id))
    await svc.settle()
    await client.CreateRefund(
        pb.CreateRefundRequest(
            payment_id=paid.id, amount_vnd=10_000, refund_amount_available_vnd=50_000, idempotency_key="dump"
        )
    )
    await client.CancelPayment(pb.CancelPaymentRequest(payment_id=cancelled.id))
    # The API still answers with the e-mail (unsealed), and a retry with another e-mail is refused.
    got = (await client.GetPayment(pb.GetPaymentRequest(payment_id=waiting.id))).payment
    assert got.payer_email == emails[2]
    retry = create_request(amount_vnd=50_000, payer_email="other@example.vn", idempotency_key="dump-retry")
    await client.CreatePayment(retry)
    retry.payer_email = "someone.else@example.vn"
    assert (await rpc_error(client.CreatePayment(retry)))[1] == "IDEMPOTENCY_KEY_REUSED"

    await svc.assembly.app.background[0].__self__.publish_pending()  # the relay: publish, then delete
    assert await count_rows(svc, outbox) == 0
    dump = await _dump(svc)
    assert len(dump) > 1000 and b"agency-dump" in dump
    for email in [*emails, "other@example.vn"]:
        assert email.encode() not in dump and email.split("@")[0].encode() not in dump


async def test_a_sealed_email_opens_only_on_its_own_payment(svc):
    client = svc.stub("agency-seal")
    first, second = [
        (await client.CreatePayment(create_request(payer_email=f"p{n}@example.vn"))).payment for n in (1, 2)
    ]
    engine = svc.assembly.engine
    async with engine.begin() as conn:
        row = (await conn.execute(select(payments).where(payments.c.id == first.id))).mappings().one()
        assert row["payer_email_key_id"] == "test1" and b"p1@" not in row["payer_email_sealed"]
        # The same ciphertext copied onto another payment does not open there.
        await conn.execute(
            update(payments)
            .where(payments.c.id == second.id)
            .values(payer_email_sealed=row["payer_email_sealed"])
        )
        with pytest.raises(InvalidTag):
            await SqlPaymentRepository(CoreStatements(conn), svc.assembly.keyring).get(second.id)
        await conn.rollback()
    no_email = (await client.CreatePayment(create_request(payer_email=""))).payment
    async with engine.connect() as conn:
        stored = (
            await conn.execute(select(payments.c.payer_email_key_id).where(payments.c.id == no_email.id))
        ).scalar_one()
    assert stored is None
    assert (await client.GetPayment(pb.GetPaymentRequest(payment_id=no_email.id))).payment.payer_email == ""


async def test_outbox_rows_are_sealed_until_published(svc):
    """Even an event the relay has not published yet (the bus is down, say) shows no e-mail in the database."""
    client = svc.stub("agency-outbox")
    created = (await client.CreatePayment(create_request(payer_email="chua.gui@example.vn"))).payment
    uow = svc.assembly.uow()
    with pytest.raises(RuntimeError, match="rolled back"):
        async with uow:
            payment = await uow.payments.get(created.id)
            assert payment is not None
            payment.state = PaymentState.CANCELLED
            events.payment_finished(uow, payment)
            await uow._write_outbox(uow.staged)  # what the commit writes, read back inside the transaction
            newest = select(outbox.c.envelope).order_by(outbox.c.seq.desc()).limit(1)
            stored = bytes((await uow.sql.rows(newest))[0]["envelope"])
            raise RuntimeError("rolled back")
    assert b"chua.gui" not in stored
    sealed = EventEnvelope.FromString(stored)
    assert sealed.payload.type_url.startswith(SEALED_EVENT) and sealed.agency_id == "agency-outbox"
    original = unseal_event(svc.assembly.keyring, sealed)
    message = events_pb2.PaymentFailed()
    assert original.payload.Unpack(message) and message.payer_email == "chua.gui@example.vn"


async def test_without_dev_mode_it_refuses_to_start_without_keys(tmp_path):
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/p.db", migrate_on_start=True)
    with pytest.raises(MissingKey, match="LIENTHONG_PAYMENT_ENCRYPTION_KEYS"):
        await assemble(settings)
    assert not list(tmp_path.iterdir())
