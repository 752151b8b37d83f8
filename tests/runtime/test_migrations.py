"""Every service's migrations: one head, apply on SQLite and PostgreSQL, and match the tables the code uses."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from lienthong_cli.services import SERVICES
from lienthong_runtime import migrations
from lienthong_runtime.db import create_engine

MIGRATING = [name for name, entry in SERVICES.items() if entry.migrates]


@pytest.mark.parametrize("service", MIGRATING)
def test_single_head(service):
    # Two migrations written against the same parent would leave two heads; get_current_head raises then.
    assert migrations.head_revision(SERVICES[service].package, service)


def _significant(diffs: list) -> list:
    """Differences that matter: missing/extra tables, columns and indexes (types compare loosely across backends)."""
    flat = []
    for diff in diffs:
        for item in diff if isinstance(diff, list) else [diff]:
            if item[0] in (
                "add_table",
                "remove_table",
                "add_column",
                "remove_column",
                "add_index",
                "remove_index",
            ):
                flat.append(item[:2] if item[0] in ("add_table", "remove_table") else item)
    return flat


@pytest.mark.parametrize("service", MIGRATING)
async def test_migrations_apply_and_match_the_models(service, db_url):
    package = SERVICES[service].package
    await migrations.upgrade_async(package, db_url, service)
    await migrations.upgrade_async(package, db_url, service)  # a second run is a no-op
    metadata = importlib.import_module(f"{package}.adapters.tables").metadata
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            version = (
                await conn.execute(text(f"SELECT version_num FROM alembic_version_{service}"))
            ).scalar_one()

            def diff(sync_conn):
                # A partitioned table's monthly partitions (PostgreSQL) are the table itself, not other tables.
                partitions = (
                    set(
                        sync_conn.execute(text("SELECT relname FROM pg_class WHERE relispartition")).scalars()
                    )
                    if sync_conn.dialect.name == "postgresql"
                    else set()
                )
                context = MigrationContext.configure(
                    sync_conn,
                    opts={
                        "version_table": f"alembic_version_{service}",
                        "include_name": lambda name, kind, _parent: (
                            not (kind == "table" and name in partitions)
                        ),
                    },
                )
                return compare_metadata(context, metadata)

            differences = _significant(await conn.run_sync(diff))
    finally:
        await engine.dispose()
    assert version == migrations.head_revision(package, service)
    assert differences == [], f"{service}: the migrations and adapters/tables.py disagree: {differences}"
