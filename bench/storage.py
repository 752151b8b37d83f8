"""Storage per business row for the capacity model (docs/CAPACITY.md): every user table of a scenario's scratch
database (heap, indexes, TOAST), divided by the rows of the table that counts the business objects."""

from __future__ import annotations


async def bytes_per_row(url: str, table: str) -> float | None:
    """Bytes of the whole database's user tables per row of ``table`` (None when it is empty)."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("ANALYZE")
        total = await conn.fetchval("SELECT sum(pg_total_relation_size(relid)) FROM pg_stat_user_tables")
        rows = await conn.fetchval(f'SELECT count(*) FROM "{table}"')  # a constant name, never input
    finally:
        await conn.close()
    return round(float(total) / rows) if rows else None


async def rows_per_row(url: str, table: str) -> float | None:
    """Rows in every user table of the database per row of ``table``: rows written per business object (a
    scenario that only adds objects; None when ``table`` is empty)."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        tables = await conn.fetch(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS name FROM pg_stat_user_tables "
            "WHERE relname NOT LIKE 'alembic_version%'"
        )
        total = 0
        for t in tables:  # names from the catalogue, quoted by the server
            total += await conn.fetchval(f"SELECT count(*) FROM {t['name']}")
        rows = await conn.fetchval(f'SELECT count(*) FROM "{table}"')  # a constant name, never input
    finally:
        await conn.close()
    return round(total / rows, 1) if rows else None
