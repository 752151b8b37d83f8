"""Ledger postings and the queries behind the invariant check and the reconciliation report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.ledger import AgencyFigures, LedgerTransaction
from ..domain.payment import Payment, PaymentState
from ..domain.reconciliation import PostedTransaction
from ..domain.refund import RefundState
from . import pg
from .rows import payment_from_row
from .tables import ledger_lines, ledger_transactions, payments, refunds

_ADD_TRANSACTION = insert(ledger_transactions)
_ADD_LINES = insert(ledger_lines)


async def post(conn: AsyncConnection, txn: LedgerTransaction) -> None:
    """Write a balanced transaction; the unique ``source_key`` refuses a second posting of the same fact."""
    if txn.balance != 0:
        raise ValueError(f"ledger transaction {txn.id} does not balance")
    row = {
        "id": txn.id,
        "agency_id": txn.agency_id,
        "kind": txn.kind,
        "payment_id": txn.payment_id,
        "refund_id": txn.refund_id,
        "source_key": txn.source_key,
        "time": txn.time,
    }
    if pg.native(conn):
        await pg.post_ledger(conn, row, txn.lines)
        return
    await conn.execute(_ADD_TRANSACTION, row)
    await conn.execute(
        _ADD_LINES,
        [
            {
                "transaction_id": txn.id,
                "agency_id": txn.agency_id,
                "account": account,
                "amount_vnd": amount,
                "time": txn.time,
            }
            for account, amount in txn.lines
        ],
    )


async def unbalanced_transactions(conn: AsyncConnection) -> list[tuple[str, str, int]]:
    total = func.sum(ledger_lines.c.amount_vnd)
    query = (
        select(ledger_lines.c.agency_id, ledger_lines.c.transaction_id, total)
        .group_by(ledger_lines.c.agency_id, ledger_lines.c.transaction_id)
        .having(total != 0)
    )
    return [(a, t, int(s)) for a, t, s in (await conn.execute(query)).all()]


async def transaction_count(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(ledger_transactions))).scalar_one())


async def agency_figures(conn: AsyncConnection) -> dict[str, AgencyFigures]:
    """Every agency's account balances, successful payments and successful refunds."""
    figures: dict[str, AgencyFigures] = defaultdict(AgencyFigures)
    query = select(
        ledger_lines.c.agency_id, ledger_lines.c.account, func.sum(ledger_lines.c.amount_vnd)
    ).group_by(ledger_lines.c.agency_id, ledger_lines.c.account)
    for agency_id, account, balance in (await conn.execute(query)).all():
        figures[agency_id].balances[account] = int(balance)
    paid_query = (
        select(payments.c.agency_id, func.sum(payments.c.amount_vnd))
        .where(payments.c.state == int(PaymentState.SUCCESS))
        .group_by(payments.c.agency_id)
    )
    for agency_id, paid in (await conn.execute(paid_query)).all():
        figures[agency_id].successful_payments_vnd = int(paid)
    refund_query = (
        select(refunds.c.agency_id, func.sum(refunds.c.amount_vnd))
        .where(refunds.c.state == int(RefundState.SUCCESS))
        .group_by(refunds.c.agency_id)
    )
    for agency_id, refunded in (await conn.execute(refund_query)).all():
        figures[agency_id].successful_refunds_vnd = int(refunded)
    return dict(figures)


async def balances_at(conn: AsyncConnection, agency_id: str, end: datetime) -> dict[str, int]:
    query = (
        select(ledger_lines.c.account, func.sum(ledger_lines.c.amount_vnd))
        .where(ledger_lines.c.agency_id == agency_id, ledger_lines.c.time < end)
        .group_by(ledger_lines.c.account)
        .order_by(ledger_lines.c.account)
    )
    return {account: int(total) for account, total in (await conn.execute(query)).all()}


async def payments_of_day(
    conn: AsyncConnection, agency_id: str, start: datetime, end: datetime
) -> list[Payment]:
    """Payments finished during the day, unfinished ones created during it, and any posted to during it."""
    posted = select(ledger_transactions.c.payment_id).where(
        ledger_transactions.c.agency_id == agency_id,
        ledger_transactions.c.time >= start,
        ledger_transactions.c.time < end,
    )
    query = (
        select(payments)
        .where(
            payments.c.agency_id == agency_id,
            or_(
                and_(payments.c.finish_time >= start, payments.c.finish_time < end),
                and_(
                    payments.c.finish_time.is_(None),
                    payments.c.create_time >= start,
                    payments.c.create_time < end,
                ),
                payments.c.id.in_(posted),
            ),
        )
        .order_by(payments.c.create_time)
    )
    return [payment_from_row(r, None) for r in (await conn.execute(query)).mappings().all()]


async def posted_for(conn: AsyncConnection, payment_ids: Sequence[str]) -> list[PostedTransaction]:
    """The ledger transactions of these payments (and their refunds), with debit totals and balances."""
    if not payment_ids:
        return []
    t, lines = ledger_transactions, ledger_lines
    debit = func.sum(case((lines.c.amount_vnd > 0, lines.c.amount_vnd), else_=0))
    query = (
        select(t.c.id, t.c.kind, t.c.payment_id, t.c.refund_id, debit, func.sum(lines.c.amount_vnd))
        .join(lines, lines.c.transaction_id == t.c.id)
        .where(t.c.payment_id.in_(list(payment_ids)))
        .group_by(t.c.id, t.c.kind, t.c.payment_id, t.c.refund_id)
    )
    return [
        PostedTransaction(i, k, p, r, int(d), int(b))
        for i, k, p, r, d, b in (await conn.execute(query)).all()
    ]
