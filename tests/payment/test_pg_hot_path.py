"""The asyncpg unit of work (adapters/pg_uow.py) keeps the guarantees of the SQLAlchemy one on PostgreSQL."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.adapters import payments_repo
from lienthong_payment.adapters.pg_uow import AsyncpgPaymentUnitOfWork
from lienthong_payment.adapters.tables import (
    ledger_lines,
    ledger_transactions,
    payments,
    provider_notifications,
)
from lienthong_payment.bootstrap import coalesced
from lienthong_payment.domain.ledger import LedgerTransaction
from lienthong_payment.domain.notifications import Disposition, ProviderNotification
from lienthong_payment.handlers.ports import KeyConflict
from lienthong_runtime.errors import Unavailable
from lienthong_runtime.pg_pool import PgPool

from .conftest import count_rows, create_request, ledger_ok


def test_hot_statements_are_compiled_from_the_table():
    insert = payments_repo.INSERT["postgresql"]
    assert insert.names == tuple(c.name for c in payments.c)
    assert insert.sql.startswith("INSERT INTO payments (" + ", ".join(insert.names) + ")")
    assert "ON CONFLICT (agency_id, idempotency_key) DO NOTHING" in insert.sql
    assert payments_repo.UPDATE.names == (*payments_repo.MUTABLE, "_id")
    assert set(payments_repo.MUTABLE) < {c.name for c in payments.c}
    assert payments_repo.BY_ID[True].sql.endswith("FOR UPDATE")


async def test_hot_path_is_used_on_postgresql(svc):
    assert svc.assembly.pg is not None
    assert isinstance(svc.assembly.uow(), AsyncpgPaymentUnitOfWork)


async def test_racing_duplicate_notifications_post_once_and_keep_transitions_in_order(svc):
    client = svc.stub("agency-hot")
    created = (await client.CreatePayment(create_request(amount_vnd=70_000))).payment
    start = pb.StartPaymentRequest(payment_id=created.id, sandbox_scenario=pb.SANDBOX_SCENARIO_ABANDONED)
    await client.StartPayment(start)
    note = svc.sandbox.notification(created.id, 70_000, transaction_no="T-RACE")
    acks = await asyncio.gather(*(svc.assembly.intake.receive("sandbox", note) for _ in range(10)))
    assert sorted(a.body["RspCode"] for a in acks) == ["00"] + ["02"] * 9
    got = await client.GetPayment(pb.GetPaymentRequest(payment_id=created.id))
    assert got.payment.state == pb.PAYMENT_STATE_SUCCESS
    assert [(t.from_state, t.to_state) for t in got.transitions] == [
        (pb.PAYMENT_STATE_CREATED, pb.PAYMENT_STATE_STARTED),
        (pb.PAYMENT_STATE_STARTED, pb.PAYMENT_STATE_SUBMITTED),
        (pb.PAYMENT_STATE_SUBMITTED, pb.PAYMENT_STATE_SUCCESS),
    ]
    assert await count_rows(svc, ledger_transactions, ledger_transactions.c.payment_id == created.id) == 1
    assert (
        await count_rows(svc, provider_notifications, provider_notifications.c.payment_id == created.id) == 10
    )
    async with svc.assembly.engine.connect() as conn:
        lines = (
            await conn.execute(
                select(ledger_lines.c.account, ledger_lines.c.amount_vnd)
                .join(ledger_transactions, ledger_transactions.c.id == ledger_lines.c.transaction_id)
                .where(ledger_transactions.c.payment_id == created.id)
                .order_by(ledger_lines.c.id)
            )
        ).all()
    assert sorted(amount for _, amount in lines) == [-70_000, 70_000]
    assert await ledger_ok(svc)


async def test_a_failed_notification_transaction_leaves_nothing_behind(svc):
    client = svc.stub("agency-hot")
    created = (await client.CreatePayment(create_request(amount_vnd=50_000))).payment
    await client.StartPayment(
        pb.StartPaymentRequest(payment_id=created.id, sandbox_scenario=pb.SANDBOX_SCENARIO_ABANDONED)
    )
    # The ledger's unique source_key refuses a second posting: pre-post the payment's fact so the
    # notification's transaction fails after its update and notification record, and must roll them back.
    uow = svc.assembly.uow()
    async with uow:
        await uow.ledger.post(_ledger_txn("pre-posted", created.id))
    ack = await svc.assembly.intake.receive("sandbox", svc.sandbox.notification(created.id, 50_000))
    assert ack.body["RspCode"] == "99"
    got = await client.GetPayment(pb.GetPaymentRequest(payment_id=created.id))
    assert got.payment.state == pb.PAYMENT_STATE_STARTED
    assert len(got.transitions) == 1
    assert (
        await count_rows(svc, provider_notifications, provider_notifications.c.payment_id == created.id) == 0
    )


async def test_an_unreachable_database_is_unavailable_not_internal(svc):
    pool = PgPool("postgresql+asyncpg://postgres@127.0.0.1:1/payment", 2)  # nothing listens on port 1
    with pytest.raises(Unavailable) as caught:
        async with AsyncpgPaymentUnitOfWork(pool, svc.assembly.keyring):
            pass
    assert caught.value.reason == "DATABASE_UNAVAILABLE"
    await pool.close()


def _notification(payment_id: str) -> ProviderNotification:
    return ProviderNotification("sandbox", payment_id, 1, True, dedupe_key=payment_id)


def _ledger_txn(txn_id: str, payment_id: str) -> LedgerTransaction:
    return LedgerTransaction(
        txn_id, "agency-batch", "payment", payment_id, "", datetime.now(UTC), (("a", 5), ("b", -5))
    )


async def test_held_writes_are_flushed_before_a_read_and_commit_together(svc):
    uow, now = svc.assembly.uow(), datetime.now(UTC)
    count = select(provider_notifications.c.id).where(provider_notifications.c.payment_id.like("batch-%"))
    async with uow:
        await uow.payments.record_notification(_notification("batch-1"), Disposition.APPLIED, now)
        await uow.payments.record_notification(_notification("batch-2"), Disposition.APPLIED, now)
        assert len(await uow.sql.rows(count)) == 2
        await uow.payments.record_notification(_notification("batch-3"), Disposition.APPLIED, now)
    assert (
        await count_rows(svc, provider_notifications, provider_notifications.c.payment_id.like("batch-%"))
        == 3
    )
    async with uow:
        await uow.ledger.post(_ledger_txn("batch-t1", "k1"))
    with pytest.raises(KeyConflict, match="duplicate key"):
        async with uow:
            await uow.payments.record_notification(_notification("batch-4"), Disposition.APPLIED, now)
            await uow.ledger.post(_ledger_txn("batch-t2", "k1"))  # the same fact: the same source_key
    assert (
        await count_rows(svc, provider_notifications, provider_notifications.c.payment_id.like("batch-%"))
        == 3
    )
    assert await count_rows(svc, ledger_lines) == 2


async def test_relay_wakes_are_coalesced_but_never_lost():
    woken: list[float] = []
    wake = coalesced(lambda: woken.append(asyncio.get_running_loop().time()), 0.01)
    for _ in range(50):
        wake()
    for _ in range(200):  # bounded: at most 2 s
        if woken:
            break
        await asyncio.sleep(0.01)
    assert len(woken) == 1
    wake()  # a request after the window fired is served again
    for _ in range(200):
        if len(woken) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(woken) == 2
