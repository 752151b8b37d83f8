"""The hand-written migrations produce exactly the tables the code declares, on SQLite and PostgreSQL.

Because of this check the other tests may create their schema from the table metadata (faster than Alembic).
"""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lienthong_payment.adapters.tables import metadata
from lienthong_runtime import migrations
from lienthong_runtime.db import create_engine


async def test_migrations_match_the_tables(db_url):
    await migrations.upgrade_async("lienthong_payment", db_url, "payment")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await engine.dispose()
    assert [
        d for d in diff if not (d[0] == "remove_table" and str(d[1].name).startswith("alembic_version"))
    ] == []
