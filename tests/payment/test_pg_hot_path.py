"""The asyncpg hot path (adapters/pg.py) keeps the guarantees of the SQLAlchemy path it replaces on PostgreSQL."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lienthong.payment.v1 import payment_pb2 as pb
from lienthong_payment.adapters import payments_repo, pg
from lienthong_payment.adapters.tables import (
    ledger_lines,
    ledger_transactions,
    payments,
    provider_notifications,
)
from lienthong_payment.bootstrap import coalesced
from lienthong_runtime.errors import Unavailable

from .conftest import count_rows, create_request, ledger_ok


def test_hand_written_statements_follow_the_table():
    assert pg.COLUMNS == tuple(c.name for c in payments.c)
    assert pg.MUTABLE == payments_repo.MUTABLE


async def test_hot_path_is_used_on_postgresql(svc):
    assert svc.assembly.deps.pg is not None
    async with svc.assembly.deps.transaction() as conn:
        assert pg.native(conn)


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
    async with svc.assembly.deps.db.connect() as conn:
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
    deps = svc.assembly.deps
    # The ledger's unique source_key refuses a second posting: pre-post the payment's fact so the
    # notification's transaction fails after its update and notification record, and must roll them back.
    async with deps.transaction() as conn:
        await pg.post_ledger(
            conn,
            {
                "id": "pre-posted",
                "agency_id": "agency-hot",
                "kind": "payment",
                "payment_id": created.id,
                "refund_id": "",
                "source_key": f"payment:{created.id}",
                "time": deps.clock(),
            },
            [("x", 1), ("y", -1)],
        )
    ack = await svc.assembly.intake.receive("sandbox", svc.sandbox.notification(created.id, 50_000))
    assert ack.body["RspCode"] == "99"
    got = await client.GetPayment(pb.GetPaymentRequest(payment_id=created.id))
    assert got.payment.state == pb.PAYMENT_STATE_STARTED
    assert len(got.transitions) == 1
    assert (
        await count_rows(svc, provider_notifications, provider_notifications.c.payment_id == created.id) == 0
    )


async def test_an_unreachable_database_is_unavailable_not_internal():
    pool = pg.PgPool("postgresql+asyncpg://postgres@127.0.0.1:1/payment", 2)  # nothing listens on port 1
    with pytest.raises(Unavailable) as caught:
        async with pool.transaction():
            pass
    assert caught.value.reason == "DATABASE_UNAVAILABLE"
    await pool.close()


def _notification(payment_id: str) -> dict:
    return {
        "provider": "sandbox",
        "payment_id": payment_id,
        "dedupe_key": payment_id,
        "succeeded": True,
        "amount_vnd": 1,
        "disposition": "applied",
        "received_at": datetime.now(UTC),
    }


def _ledger_txn(txn_id: str, source_key: str) -> dict:
    return {
        "id": txn_id,
        "agency_id": "agency-batch",
        "kind": "payment",
        "payment_id": txn_id,
        "refund_id": "",
        "source_key": source_key,
        "time": datetime.now(UTC),
    }


async def test_held_writes_are_flushed_before_a_read_and_commit_together(svc):
    deps = svc.assembly.deps
    count = "SELECT count(*) FROM provider_notifications WHERE payment_id LIKE 'batch-%'"
    async with deps.transaction() as tx:
        await pg.add_notification(tx, _notification("batch-1"))
        await pg.add_notification(tx, _notification("batch-2"))
        assert await tx.fetchval(count) == 2
        await pg.add_notification(tx, _notification("batch-3"))
    async with deps.autocommit() as conn:
        assert await conn.fetchval(count) == 3
    async with deps.transaction() as tx:
        await pg.post_ledger(tx, _ledger_txn("batch-t1", "k1"), [("a", 5), ("b", -5)])
    with pytest.raises(Exception, match="duplicate key"):
        async with deps.transaction() as tx:
            await pg.add_notification(tx, _notification("batch-4"))
            await pg.post_ledger(tx, _ledger_txn("batch-t2", "k1"), [("a", 5), ("b", -5)])  # same source_key
    async with deps.autocommit() as conn:
        assert await conn.fetchval(count) == 3
        assert await conn.fetchval("SELECT count(*) FROM ledger_lines") == 2


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
