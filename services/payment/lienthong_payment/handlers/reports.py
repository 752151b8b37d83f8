"""The daily reconciliation report of an agency and the platform-wide ledger invariant check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain import ledger, reconciliation
from .ports import PaymentUnitOfWork


async def reconciliation_report(uow: PaymentUnitOfWork, agency_id: str, day: date) -> reconciliation.Report:
    """The agency's day from the ledger, read on one snapshot (no personal data: it needs no keys)."""
    start, end = reconciliation.business_day(day)
    async with uow.snapshot():
        payments = await uow.ledger.payments_of_day(agency_id, start, end)
        refunds = await uow.refunds.of_day(agency_id, start, end)
        ids = sorted({p.id for p in payments} | {r.payment_id for r in refunds})
        posted = await uow.ledger.posted_for(ids)
        balances = await uow.ledger.balances_at(agency_id, end)
        late = await uow.payments.late_successes(agency_id, start, end)
    return reconciliation.reconcile(day, payments, refunds, posted, balances, late)


@dataclass(frozen=True)
class LedgerCheck:
    agencies_checked: int
    transactions_checked: int
    violations: list[ledger.Violation]

    @property
    def ok(self) -> bool:
        return not self.violations


async def check_ledger(uow: PaymentUnitOfWork) -> LedgerCheck:
    """Every transaction sums to zero; every agency's ledger sums to zero and matches its payments/refunds."""
    async with uow.snapshot():
        unbalanced = await uow.ledger.unbalanced_transactions()
        figures = await uow.ledger.agency_figures()
        count = await uow.ledger.transaction_count()
    return LedgerCheck(len(figures), count, ledger.check_invariants(unbalanced, figures))
