"""The PostgreSQL unit of work of the hot path: the same repositories on one pooled asyncpg connection.

It keeps the guarantees of the SQLAlchemy unit of work (one transaction, ``FOR UPDATE`` row locks, ``ON CONFLICT``
idempotency, the unique ``source_key``, events in the outbox of the same transaction) at a fraction of the CPU
(``statements.py``). ``autocommit()`` runs CreatePayment's insert as one statement that commits by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_runtime.crypto import Keyring, seal_event
from lienthong_runtime.db_errors import database_unavailable, database_unavailable_error
from lienthong_runtime.pg_pool import PgPool

from ..handlers.ports import Mode, PaymentUnitOfWork
from .ledger_repo import SqlLedgerRepository
from .payments_repo import SqlPaymentRepository
from .refunds_repo import SqlRefundRepository
from .statements import PgStatements, prepare
from .tables import outbox

# inline(): no RETURNING of the serial key, which nobody reads.
ADD_EVENT = prepare(
    insert(outbox)
    .inline()
    .values({n: bindparam(n) for n in ("event_id", "type", "envelope", "created_at", "attempts")})
)


class AsyncpgPaymentUnitOfWork(PaymentUnitOfWork):
    def __init__(self, pool: PgPool, keyring: Keyring) -> None:
        super().__init__()
        self.pool, self.keyring = pool, keyring
        self._conn: Any = None
        self._tx: Any = None
        self.sql: PgStatements

    async def _begin(self) -> None:
        self._conn = await self.pool.checkout()
        self._tx = None
        try:
            if self.mode is Mode.SNAPSHOT:
                self._tx = self._conn.transaction(isolation="repeatable_read", readonly=True)
            elif self.mode is Mode.TRANSACTION:
                self._tx = self._conn.transaction()
            if self._tx is not None:
                await self._tx.start()
        except BaseException as exc:
            await self._release()
            if isinstance(exc, Exception) and database_unavailable(exc):
                raise database_unavailable_error() from exc
            raise
        self.sql = PgStatements(self._conn, batch=self._tx is not None)
        self.payments = SqlPaymentRepository(self.sql, self.keyring)
        self.refunds = SqlRefundRepository(self.sql)
        self.ledger = SqlLedgerRepository(self.sql)

    async def _write_outbox(self, events: Sequence[EventEnvelope]) -> None:
        if self._tx is None:
            raise RuntimeError("events are staged only inside a transaction")
        for event in events:
            row = seal_event(self.keyring, event)
            await self.sql.write(
                ADD_EVENT,
                {
                    "event_id": row.id,
                    "type": row.type,
                    "envelope": row.SerializeToString(),
                    "created_at": datetime.now(UTC),
                    "attempts": 0,
                },
            )

    async def _commit(self) -> None:
        try:
            await self.sql.flush()
            if self._tx is not None:
                await self._tx.commit()
        finally:
            await self._release()

    async def _rollback(self) -> None:
        try:
            if self._tx is not None and not self._conn.is_closed():
                await self._tx.rollback()
        except Exception:  # noqa: S110 - the connection is broken; releasing it discards it
            pass
        finally:
            await self._release()

    async def _release(self) -> None:
        conn, self._conn, self._tx = self._conn, None, None
        if conn is not None:
            await self.pool.release(conn)
