"""The daily reconciliation report of an agency and the platform-wide ledger invariant check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..adapters import ledger_repo, payments_repo, refunds_repo
from ..domain import ledger, reconciliation
from . import Deps


async def _snapshot(session: AsyncSession) -> None:
    """One consistent view for several queries (PostgreSQL; a SQLite transaction already is one)."""
    if session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def reconciliation_report(deps: Deps, agency_id: str, day: date) -> reconciliation.Report:
    start, end = reconciliation.business_day(day)
    async with deps.sessions() as session:
        await _snapshot(session)
        payments = await ledger_repo.payments_of_day(session, agency_id, start, end)
        refunds = await refunds_repo.of_day(session, agency_id, start, end)
        ids = sorted({p.id for p in payments} | {r.payment_id for r in refunds})
        posted = await ledger_repo.posted_for(session, ids)
        balances = await ledger_repo.balances_at(session, agency_id, end)
        late = await payments_repo.late_successes(session, agency_id, start, end)
    return reconciliation.reconcile(day, payments, refunds, posted, balances, late)


@dataclass(frozen=True)
class LedgerCheck:
    agencies_checked: int
    transactions_checked: int
    violations: list[ledger.Violation]

    @property
    def ok(self) -> bool:
        return not self.violations


async def check_ledger(sessions: async_sessionmaker[AsyncSession]) -> LedgerCheck:
    """Every transaction sums to zero; every agency's ledger sums to zero and matches its payments/refunds."""
    async with sessions() as session:
        await _snapshot(session)
        unbalanced = await ledger_repo.unbalanced_transactions(session)
        figures = await ledger_repo.agency_figures(session)
        count = await ledger_repo.transaction_count(session)
    return LedgerCheck(len(figures), count, ledger.check_invariants(unbalanced, figures))
