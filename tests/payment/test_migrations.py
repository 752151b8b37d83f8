"""The hand-written migrations produce exactly the tables the code declares, on SQLite and PostgreSQL.

Because of this check the other tests may create their schema from the table metadata (faster than Alembic).
"""

import asyncio
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from lienthong_payment.adapters.tables import metadata
from lienthong_runtime import migrations
from lienthong_runtime.db import create_engine


async def test_migrations_match_the_tables(db_url):
    await migrations.upgrade_async("lienthong_payment", db_url, "payment")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    assert [
        d
        for d in diff
        if not (d[0] == "remove_table" and str(d[1].name).startswith("alembic_version"))
        and not _partitioned_outbox_key(d)
    ] == []


def _diff(sync):  # type: ignore[no-untyped-def]
    # The outbox's monthly partitions (PostgreSQL, migration 0004) are the outbox itself, not other tables.
    partitions = (
        set(sync.execute(text("SELECT relname FROM pg_class WHERE relispartition")).scalars())
        if sync.dialect.name == "postgresql"
        else set()
    )
    context = MigrationContext.configure(
        sync, opts={"include_name": lambda name, kind, _parent: not (kind == "table" and name in partitions)}
    )
    return compare_metadata(context, metadata)


def _partitioned_outbox_key(d) -> bool:  # type: ignore[no-untyped-def]
    """On PostgreSQL the partitioned outbox's ``event_id`` is unique with its partition key ``created_at`` (a
    partitioned table's unique keys must hold it); the metadata keeps the plain table's ``UNIQUE (event_id)``."""
    if d[0] not in ("add_constraint", "remove_constraint") or d[1].table.name != "outbox":
        return False
    return [c.name for c in d[1].columns] in (["event_id"], ["event_id", "created_at"])


async def test_sealing_migration_replaces_the_clear_column_both_ways(db_url):
    """0003 drops the clear e-mail (migrations hold no keys; payment has no production data) and reverses."""
    await migrations.upgrade_async("lienthong_payment", db_url, "payment", "0002")
    await _execute(
        db_url,
        "INSERT INTO payments (id, agency_id, reference, description, amount_vnd, state, provider, return_url, "
        "payer_email, idempotency_key, fingerprint, provider_reference, failure_reason, refunded_amount_vnd, "
        "refund_pending_vnd, redirect_url, sandbox_scenario, create_time, update_time, expire_time) VALUES "
        "('p1', 'a', 'r', 'd', 1000, 1, 'sandbox', 'https://x', 'clear@example.vn', 'k', 'f', '', '', 0, 0, '', "
        "0, :t, :t, :t)",
        t=datetime.now(UTC),
    )
    await migrations.upgrade_async("lienthong_payment", db_url, "payment")
    row = await _execute(db_url, "SELECT * FROM payments")
    assert "payer_email" not in row and row["payer_email_sealed"] is None and row["amount_vnd"] == 1000
    await asyncio.to_thread(_downgrade, db_url, "0002")
    row = await _execute(db_url, "SELECT * FROM payments")
    assert row["payer_email"] == "" and "payer_email_sealed" not in row


async def _execute(url: str, sql: str, **params: object) -> dict[str, object]:
    """Run one statement on a fresh engine (a schema change invalidates asyncpg's cached statements)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return dict(result.mappings().one()) if result.returns_rows else {}
    finally:
        await engine.dispose()


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(migrations.alembic_config("lienthong_payment", url, "payment"), revision)
