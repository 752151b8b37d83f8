"""The PostgreSQL hot path of a payment (create, start, provider notification) over a bare asyncpg pool.

Measured on the create-and-complete path (3 transactions, 12 statements per payment): a SQLAlchemy checkout,
BEGIN/COMMIT and statement execution cost ~300 us of CPU per transaction and ~90 us per statement on top of
the asyncpg round trip itself, more than everything else the service does. Here the same statements run on
asyncpg directly, and statements that always go together are one round trip: a payment's update and its new
transitions, a ledger transaction and its lines (data-modifying CTEs, one snapshot, one statement). The
guarantees are those of the SQLAlchemy path: the same transactions, ``FOR UPDATE`` row locks, ``ON CONFLICT``
idempotency, the unique ``source_key``; SQLite keeps the SQLAlchemy path.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg

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
# The mutable fields (``payments_repo.MUTABLE``, $2..$11) and the transitions recorded since the payment was
# loaded ($12..$16), in one statement; the transitions keep their order (ids follow the ordinality).
SAVE = (
    "WITH moved AS (UPDATE payments SET state = $2, provider_reference = $3, failure_reason = $4,"
    " refunded_amount_vnd = $5, refund_pending_vnd = $6, redirect_url = $7, redirect_expire_time = $8,"
    " sandbox_scenario = $9, update_time = $10, finish_time = $11 WHERE id = $1)"
    " INSERT INTO payment_transitions (payment_id, from_state, to_state, time, cause, detail)"
    " SELECT $1, f, t, tm, c, d FROM unnest($12::smallint[], $13::smallint[], $14::timestamptz[], $15::text[],"
    " $16::text[]) WITH ORDINALITY AS x(f, t, tm, c, d, n) ORDER BY n"
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
# A ledger transaction and its lines in one statement; the foreign key is checked at the end of it.
POST_LEDGER = (
    "WITH txn AS (INSERT INTO ledger_transactions (id, agency_id, kind, payment_id, refund_id, source_key, time)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7))"
    " INSERT INTO ledger_lines (transaction_id, agency_id, account, amount_vnd, time)"
    " SELECT $1, $2, a, v, $7 FROM unnest($8::text[], $9::bigint[]) WITH ORDINALITY AS x(a, v, n) ORDER BY n"
)
ADD_EVENT = "INSERT INTO outbox (event_id, type, envelope, created_at, attempts) VALUES ($1, $2, $3, $4, 0)"


# A lost, refused or refused-for-now connection: retryable, so UNAVAILABLE as on the SQLAlchemy path (the
# runtime's interceptor only recognises SQLAlchemy's wrappers of these).
UNREACHABLE = (
    ConnectionError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
)


def unreachable() -> Unavailable:
    return Unavailable("the database is unreachable; retry shortly", reason="DATABASE_UNAVAILABLE")


def native(conn: Any) -> bool:
    """Whether ``conn`` is an asyncpg connection of this hot path (else a SQLAlchemy connection)."""
    return type(conn).__module__.startswith("asyncpg")


async def _rollback_if_open(conn: Any) -> None:
    # These connections set no session state, so the pool's default reset (a round trip on every release) has
    # nothing to clear; only a transaction left open by a cancelled call must not reach the next user.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class PgPool:
    """A lazily opened asyncpg pool (created in the running event loop on first use)."""

    def __init__(self, url: str, size: int) -> None:
        self.url = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.size = size
        self._pool: Any = None
        self._lock = asyncio.Lock()

    async def _open(self) -> Any:
        async with self._lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self.url, min_size=1, max_size=self.size, reset=_rollback_if_open
                )
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """A connection inside a transaction (committed on exit, rolled back on an exception)."""
        try:
            pool = self._pool or await self._open()
            async with pool.acquire() as conn, conn.transaction():
                yield conn
        except UNREACHABLE as exc:
            raise unreachable() from exc

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Any]:
        """A connection outside a transaction: each statement commits on its own."""
        try:
            pool = self._pool or await self._open()
            async with pool.acquire() as conn:
                yield conn
        except UNREACHABLE as exc:
            raise unreachable() from exc

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def insert_payment(conn: Any, values: Mapping[str, Any]) -> bool:
    return await conn.fetchval(INSERT_PAYMENT, *(values[name] for name in COLUMNS)) is not None


async def payment_row(conn: Any, payment_id: str, agency_id: str | None, lock: bool) -> Any:
    if agency_id is None:
        return await conn.fetchrow(BY_ID_LOCKED if lock else BY_ID, payment_id)
    return await conn.fetchrow(BY_ID_OF_AGENCY_LOCKED if lock else BY_ID_OF_AGENCY, payment_id, agency_id)


async def payment_row_by_key(conn: Any, agency_id: str, key: str) -> Any:
    return await conn.fetchrow(BY_KEY, agency_id, key)


async def save_payment(
    conn: Any, payment_id: str, values: Mapping[str, Any], transitions: Sequence[Mapping[str, Any]]
) -> None:
    await conn.execute(
        SAVE,
        payment_id,
        *(values[name] for name in MUTABLE),
        [t["from_state"] for t in transitions],
        [t["to_state"] for t in transitions],
        [t["time"] for t in transitions],
        [t["cause"] for t in transitions],
        [t["detail"] for t in transitions],
    )


async def add_notification(conn: Any, values: Mapping[str, Any]) -> None:
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


async def post_ledger(conn: Any, txn: Mapping[str, Any], lines: Sequence[tuple[str, int]]) -> None:
    await conn.execute(
        POST_LEDGER,
        txn["id"],
        txn["agency_id"],
        txn["kind"],
        txn["payment_id"],
        txn["refund_id"],
        txn["source_key"],
        txn["time"],
        [account for account, _ in lines],
        [amount for _, amount in lines],
    )


async def add_event(conn: Any, event_id: str, event_type: str, envelope: bytes) -> None:
    """Stage an event in the outbox (the caller's transaction), like ``lienthong_runtime.events.add_event``."""
    await conn.execute(ADD_EVENT, event_id, event_type, envelope, datetime.now(UTC))
