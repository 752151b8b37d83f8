"""Ledger postings and the queries behind the invariant check and the reconciliation report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select

from ..domain.ledger import AgencyFigures, LedgerTransaction
from ..domain.payment import Payment, PaymentState
from ..domain.reconciliation import PostedTransaction
from ..domain.refund import RefundState
from ..handlers.ports import LedgerRepository
from .rows import payment_from_row
from .statements import prepare, rows_insert
from .tables import ledger_lines, ledger_transactions, payments, refunds

ADD_TRANSACTION = prepare(
    insert(ledger_transactions).values({c.name: bindparam(c.name) for c in ledger_transactions.c})
)
_ONE_PER_TRANSACTION = ("transaction_id", "agency_id", "time")
ADD_LINES = rows_insert(
    ledger_lines,
    [c.name for c in ledger_lines.c if not c.primary_key and c.name not in _ONE_PER_TRANSACTION],
    shared=_ONE_PER_TRANSACTION,
)


class SqlLedgerRepository(LedgerRepository):
    def __init__(self, sql: Any) -> None:
        self.sql = sql

    async def post(self, txn: LedgerTransaction) -> None:
        if txn.balance != 0:
            raise ValueError(f"ledger transaction {txn.id} does not balance")
        await self.sql.write(
            ADD_TRANSACTION,
            {
                "id": txn.id,
                "agency_id": txn.agency_id,
                "kind": txn.kind,
                "payment_id": txn.payment_id,
                "refund_id": txn.refund_id,
                "source_key": txn.source_key,
                "time": txn.time,
            },
        )
        await self.sql.write_rows(
            ADD_LINES,
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

    async def unbalanced_transactions(self) -> list[tuple[str, str, int]]:
        lines = ledger_lines.c
        total = func.sum(lines.amount_vnd)
        query = (
            select(lines.agency_id, lines.transaction_id, total)
            .group_by(lines.agency_id, lines.transaction_id)
            .having(total != 0)
        )
        return [(a, t, int(s)) for a, t, s in await self.sql.tuples(query)]

    async def transaction_count(self) -> int:
        rows = await self.sql.tuples(select(func.count()).select_from(ledger_transactions))
        return int(rows[0][0])

    async def agency_figures(self) -> dict[str, AgencyFigures]:
        figures: dict[str, AgencyFigures] = defaultdict(AgencyFigures)
        lines = ledger_lines.c
        query = select(lines.agency_id, lines.account, func.sum(lines.amount_vnd)).group_by(
            lines.agency_id, lines.account
        )
        for agency_id, account, balance in await self.sql.tuples(query):
            figures[agency_id].balances[account] = int(balance)
        paid_query = (
            select(payments.c.agency_id, func.sum(payments.c.amount_vnd))
            .where(payments.c.state == int(PaymentState.SUCCESS))
            .group_by(payments.c.agency_id)
        )
        for agency_id, paid in await self.sql.tuples(paid_query):
            figures[agency_id].successful_payments_vnd = int(paid)
        refund_query = (
            select(refunds.c.agency_id, func.sum(refunds.c.amount_vnd))
            .where(refunds.c.state == int(RefundState.SUCCESS))
            .group_by(refunds.c.agency_id)
        )
        for agency_id, refunded in await self.sql.tuples(refund_query):
            figures[agency_id].successful_refunds_vnd = int(refunded)
        return dict(figures)

    async def balances_at(self, agency_id: str, end: datetime) -> dict[str, int]:
        lines = ledger_lines.c
        query = (
            select(lines.account, func.sum(lines.amount_vnd))
            .where(lines.agency_id == agency_id, lines.time < end)
            .group_by(lines.account)
            .order_by(lines.account)
        )
        return {account: int(total) for account, total in await self.sql.tuples(query)}

    async def payments_of_day(self, agency_id: str, start: datetime, end: datetime) -> list[Payment]:
        t, p = ledger_transactions.c, payments.c
        posted = select(t.payment_id).where(t.agency_id == agency_id, t.time >= start, t.time < end)
        query = (
            select(payments)
            .where(
                p.agency_id == agency_id,
                or_(
                    and_(p.finish_time >= start, p.finish_time < end),
                    and_(p.finish_time.is_(None), p.create_time >= start, p.create_time < end),
                    p.id.in_(posted),
                ),
            )
            .order_by(p.create_time)
        )
        return [payment_from_row(r, None) for r in await self.sql.rows(query)]

    async def posted_for(self, payment_ids: Sequence[str]) -> list[PostedTransaction]:
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
            PostedTransaction(i, k, p, r, int(d), int(b)) for i, k, p, r, d, b in await self.sql.tuples(query)
        ]
