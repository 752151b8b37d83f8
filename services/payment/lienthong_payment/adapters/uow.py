"""The SQLAlchemy unit of work of the payment service (SQLite, the embedded mode; any database in tests)."""

from __future__ import annotations

import functools

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_runtime.crypto import Keyring, seal_event
from lienthong_runtime.uow import SqlUnitOfWork

from ..handlers.ports import PaymentUnitOfWork
from .ledger_repo import SqlLedgerRepository
from .payments_repo import SqlPaymentRepository
from .refunds_repo import SqlRefundRepository
from .statements import CoreStatements
from .tables import outbox


def _no_key(event: EventEnvelope) -> EventEnvelope:
    raise RuntimeError("payment events carry personal data and need the keyring")


class SqlPaymentUnitOfWork(SqlUnitOfWork, PaymentUnitOfWork):
    """Every mode is one transaction here: SQLite serialises writers (BEGIN IMMEDIATE) and a transaction already
    reads one snapshot. Outbox rows are sealed: payment events carry the payer's e-mail (for receipts)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], keyring: Keyring | None) -> None:
        """Without ``keyring`` (operator reports, which read no personal data) e-mails read back empty and
        staging an event fails rather than store it in clear."""
        seal = functools.partial(seal_event, keyring) if keyring else _no_key
        SqlUnitOfWork.__init__(self, sessions, outbox, seal=seal)  # then PaymentUnitOfWork's, by the MRO
        self.keyring = keyring

    def bind(self, session: AsyncSession) -> None:
        sql = CoreStatements(session)
        self.payments = SqlPaymentRepository(sql, self.keyring)
        self.refunds = SqlRefundRepository(sql)
        self.ledger = SqlLedgerRepository(sql)
