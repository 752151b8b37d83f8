"""The daily reconciliation report of an agency and the platform-wide ledger invariant check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..adapters import ledger_repo, payments_repo, refunds_repo
from ..domain import ledger, reconciliation


async def _snapshot(conn: AsyncConnection) -> None:
    """One consistent view for several queries (PostgreSQL; a SQLite transaction already is one)."""
    if conn.dialect.name == "postgresql":
        await conn.execution_options(isolation_level="REPEATABLE READ")


async def reconciliation_report(db: AsyncEngine, agency_id: str, day: date) -> reconciliation.Report:
    """The agency's day from the ledger (no personal data: it needs no keys)."""
    start, end = reconciliation.business_day(day)
    async with db.connect() as conn:
        await _snapshot(conn)
        payments = await ledger_repo.payments_of_day(conn, agency_id, start, end)
        refunds = await refunds_repo.of_day(conn, agency_id, start, end)
        ids = sorted({p.id for p in payments} | {r.payment_id for r in refunds})
        posted = await ledger_repo.posted_for(conn, ids)
        balances = await ledger_repo.balances_at(conn, agency_id, end)
        late = await payments_repo.late_successes(conn, agency_id, start, end)
    return reconciliation.reconcile(day, payments, refunds, posted, balances, late)


@dataclass(frozen=True)
class LedgerCheck:
    agencies_checked: int
    transactions_checked: int
    violations: list[ledger.Violation]

    @property
    def ok(self) -> bool:
        return not self.violations


async def check_ledger(db: AsyncEngine) -> LedgerCheck:
    """Every transaction sums to zero; every agency's ledger sums to zero and matches its payments/refunds."""
    async with db.connect() as conn:
        await _snapshot(conn)
        unbalanced = await ledger_repo.unbalanced_transactions(conn)
        figures = await ledger_repo.agency_figures(conn)
        count = await ledger_repo.transaction_count(conn)
    return LedgerCheck(len(figures), count, ledger.check_invariants(unbalanced, figures))
