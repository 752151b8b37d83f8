"""The PostgreSQL hot path of a payment (create, start, provider notification) over a bare asyncpg pool.

Measured on the create-and-complete path (3 transactions, 12 statements per payment): a SQLAlchemy checkout,
BEGIN/COMMIT and statement execution cost ~300 us of CPU per transaction and ~90 us per statement on top of
the asyncpg round trip itself, more than everything else the service does. Here the same statements run on
asyncpg directly, and the writes of a transaction go to the server together, as one statement, before the
next read or the COMMIT (``Tx``): a notification that completes a payment is BEGIN, the locked read, one write
and COMMIT instead of nine round trips (each costs ~100 us of CPU in the kernel and asyncpg's protocol). The
guarantees are those of the SQLAlchemy path: the same transactions, ``FOR UPDATE`` row locks, ``ON CONFLICT``
idempotency, the unique ``source_key``; SQLite keeps the SQLAlchemy path.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeGuard

import asyncpg

from lienthong_runtime.db import asyncpg_connect_args
from lienthong_runtime.db_errors import database_unavailable, database_unavailable_error
from lienthong_runtime.errors import Unavailable

# Column order of the payments table (``tables.payments``; a test checks they agree).
COLUMNS = (
    "id",
    "agency_id",
    "reference",
    "description",
    "amount_vnd",
    "state",
    "provider",
    "return_url",
    "payer_email_key_id",
    "payer_email_sealed",
    "idempotency_key",
    "fingerprint",
    "provider_reference",
    "failure_reason",
    "refunded_amount_vnd",
    "refund_pending_vnd",
    "redirect_url",
    "redirect_expire_time",
    "sandbox_scenario",
    "create_time",
    "update_time",
    "expire_time",
    "finish_time",
)
INSERT_PAYMENT = (
    "INSERT INTO payments (id, agency_id, reference, description, amount_vnd, state, provider, return_url,"
    " payer_email_key_id, payer_email_sealed, idempotency_key, fingerprint, provider_reference, failure_reason,"
    " refunded_amount_vnd, refund_pending_vnd, redirect_url, redirect_expire_time, sandbox_scenario,"
    " create_time, update_time, expire_time, finish_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
    " $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)"
    " ON CONFLICT (agency_id, idempotency_key) DO NOTHING RETURNING id"
)
_SELECT = (
    "SELECT id, agency_id, reference, description, amount_vnd, state, provider, return_url, payer_email_key_id,"
    " payer_email_sealed, idempotency_key, fingerprint, provider_reference, failure_reason, refunded_amount_vnd,"
    " refund_pending_vnd, redirect_url, redirect_expire_time, sandbox_scenario, create_time, update_time,"
    " expire_time, finish_time FROM payments WHERE "
)
BY_ID = _SELECT + "id = $1"
BY_ID_OF_AGENCY = _SELECT + "id = $1 AND agency_id = $2"
BY_ID_LOCKED = BY_ID + " FOR UPDATE"
BY_ID_OF_AGENCY_LOCKED = BY_ID_OF_AGENCY + " FOR UPDATE"
BY_KEY = _SELECT + "agency_id = $1 AND idempotency_key = $2"
# The mutable fields (``payments_repo.MUTABLE``, $2..$11).
UPDATE_PAYMENT = (
    "UPDATE payments SET state = $2, provider_reference = $3, failure_reason = $4, refunded_amount_vnd = $5,"
    " refund_pending_vnd = $6, redirect_url = $7, redirect_expire_time = $8, sandbox_scenario = $9,"
    " update_time = $10, finish_time = $11 WHERE id = $1"
)
# Transitions keep their order (ids follow the ordinality).
ADD_TRANSITIONS = (
    "INSERT INTO payment_transitions (payment_id, from_state, to_state, time, cause, detail)"
    " SELECT $1::text, f, t, tm, c, d FROM unnest($2::smallint[], $3::smallint[], $4::timestamptz[],"
    " $5::text[], $6::text[]) WITH ORDINALITY AS x(f, t, tm, c, d, n) ORDER BY n"
)
MUTABLE = (
    "state",
    "provider_reference",
    "failure_reason",
    "refunded_amount_vnd",
    "refund_pending_vnd",
    "redirect_url",
    "redirect_expire_time",
    "sandbox_scenario",
    "update_time",
    "finish_time",
)
ADD_NOTIFICATION = (
    "INSERT INTO provider_notifications"
    " (provider, payment_id, dedupe_key, succeeded, amount_vnd, disposition, received_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
ADD_LEDGER_TRANSACTION = (
    "INSERT INTO ledger_transactions (id, agency_id, kind, payment_id, refund_id, source_key, time)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
ADD_LEDGER_LINES = (
    "INSERT INTO ledger_lines (transaction_id, agency_id, account, amount_vnd, time)"
    " SELECT $1::text, $2::text, a, v, $3::timestamptz FROM unnest($4::text[], $5::bigint[])"
    " WITH ORDINALITY AS x(a, v, n) ORDER BY n"
)
ADD_EVENT = "INSERT INTO outbox (event_id, type, envelope, created_at, attempts) VALUES ($1, $2, $3, $4, 0)"


def unreachable() -> Unavailable:
    return database_unavailable_error()


def native(conn: object) -> TypeGuard[Tx]:
    """Whether ``conn`` is a connection of this hot path (else a SQLAlchemy connection)."""
    return isinstance(conn, Tx)


@functools.lru_cache(maxsize=256)
def _shifted(sql: str, offset: int) -> str:
    return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + offset}", sql) if offset else sql


class Tx:
    """An asyncpg connection whose writes inside a transaction are held and sent together, before the next
    read and before COMMIT, as one statement: each write a data-modifying CTE of ``SELECT 1``. PostgreSQL runs
    every one of them exactly once, all-or-nothing, with constraints checked as usual (foreign keys at the end
    of the statement); they share one snapshot, which is why reads flush first. A write's error surfaces at
    the flush, still inside the transaction, which then rolls back."""

    def __init__(self, conn: Any, *, batch: bool) -> None:
        self.conn = conn
        self._batch = batch
        self._parts: list[str] = []
        self._args: list[Any] = []

    async def execute(self, sql: str, *args: Any) -> None:
        if not self._batch:
            await self.conn.execute(sql, *args)
            return
        self._parts.append(_shifted(sql, len(self._args)))
        self._args.extend(args)

    async def flush(self) -> None:
        parts, args = self._parts, self._args
        if not parts:
            return
        self._parts, self._args = [], []
        if len(parts) == 1:
            await self.conn.execute(parts[0], *args)
        else:
            ctes = ", ".join(f"w{i} AS ({part})" for i, part in enumerate(parts))
            await self.conn.execute(f"WITH {ctes} SELECT 1", *args)

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        await self.flush()
        return await self.conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        await self.flush()
        return await self.conn.fetchval(sql, *args)


async def _rollback_if_open(conn: Any) -> None:
    # These connections set no session state, so the pool's default reset (a round trip on every release) has
    # nothing to clear; only a transaction left open by a cancelled call must not reach the next user.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class PgPool:
    """A lazily opened asyncpg pool (created in the running event loop on first use)."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.connect_args = asyncpg_connect_args(url)
        self.size = size
        self._pool: Any = None
        self._lock = asyncio.Lock()

    async def _open(self) -> Any:
        async with self._lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self.url, min_size=1, max_size=self.size, reset=_rollback_if_open, **self.connect_args
                )
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """A connection inside a transaction (committed on exit, rolled back on an exception)."""
        try:
            pool = self._pool or await self._open()
            async with pool.acquire() as conn, conn.transaction():
                tx = Tx(conn, batch=True)
                yield tx
                await tx.flush()
        except Exception as exc:
            # The runtime's one classification (by SQLSTATE, then connection errors) for every driver.
            if database_unavailable(exc):
                raise unreachable() from exc
            raise

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Any]:
        """A connection outside a transaction: each statement commits on its own."""
        try:
            pool = self._pool or await self._open()
            async with pool.acquire() as conn:
                yield Tx(conn, batch=False)
        except Exception as exc:
            # The runtime's one classification (by SQLSTATE, then connection errors) for every driver.
            if database_unavailable(exc):
                raise unreachable() from exc
            raise

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def insert_payment(conn: Tx, values: Mapping[str, Any]) -> bool:
    return await conn.fetchval(INSERT_PAYMENT, *(values[name] for name in COLUMNS)) is not None


async def payment_row(conn: Tx, payment_id: str, agency_id: str | None, lock: bool) -> Any:
    if agency_id is None:
        return await conn.fetchrow(BY_ID_LOCKED if lock else BY_ID, payment_id)
    return await conn.fetchrow(BY_ID_OF_AGENCY_LOCKED if lock else BY_ID_OF_AGENCY, payment_id, agency_id)


async def payment_row_by_key(conn: Tx, agency_id: str, key: str) -> Any:
    return await conn.fetchrow(BY_KEY, agency_id, key)


async def save_payment(
    conn: Tx, payment_id: str, values: Mapping[str, Any], transitions: Sequence[Mapping[str, Any]]
) -> None:
    await conn.execute(UPDATE_PAYMENT, payment_id, *(values[name] for name in MUTABLE))
    if transitions:
        await conn.execute(
            ADD_TRANSITIONS,
            payment_id,
            [t["from_state"] for t in transitions],
            [t["to_state"] for t in transitions],
            [t["time"] for t in transitions],
            [t["cause"] for t in transitions],
            [t["detail"] for t in transitions],
        )


async def add_notification(conn: Tx, values: Mapping[str, Any]) -> None:
    await conn.execute(
        ADD_NOTIFICATION,
        values["provider"],
        values["payment_id"],
        values["dedupe_key"],
        values["succeeded"],
        values["amount_vnd"],
        values["disposition"],
        values["received_at"],
    )


async def post_ledger(conn: Tx, txn: Mapping[str, Any], lines: Sequence[tuple[str, int]]) -> None:
    await conn.execute(
        ADD_LEDGER_TRANSACTION,
        txn["id"],
        txn["agency_id"],
        txn["kind"],
        txn["payment_id"],
        txn["refund_id"],
        txn["source_key"],
        txn["time"],
    )
    await conn.execute(
        ADD_LEDGER_LINES,
        txn["id"],
        txn["agency_id"],
        txn["time"],
        [account for account, _ in lines],
        [amount for _, amount in lines],
    )


async def add_event(conn: Tx, event_id: str, event_type: str, envelope: bytes) -> None:
    """Stage an event in the outbox (the caller's transaction), like ``lienthong_runtime.events.add_event``."""
    await conn.execute(ADD_EVENT, event_id, event_type, envelope, datetime.now(UTC))
