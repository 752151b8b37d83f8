"""Per-service Alembic helpers.

Each service keeps ``<package>/migrations/env.py`` (two lines: import its metadata, call :func:`run_env`) and
numbered revision files in ``versions/``. Migrations run only through ``lienthong migrate <service>`` (a Job in
Kubernetes) or, in the embedded mode, at start-up. On PostgreSQL an advisory lock makes concurrent migrators
wait for each other, so two pods never migrate at once.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from .db import async_url, create_engine, is_sqlite


def alembic_config(package: str, url: str, service: str) -> Config:
    """An Alembic config for ``package``'s ``migrations`` folder and database ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", f"{package}:migrations")
    cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def head_revision(package: str, service: str) -> str | None:
    """The single head revision of a service's migrations (raises if there are several)."""
    return ScriptDirectory.from_config(alembic_config(package, "sqlite://", service)).get_current_head()


def upgrade(package: str, url: str, service: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (blocking; call from a thread inside an event loop)."""
    command.upgrade(alembic_config(package, url, service), revision)


async def upgrade_async(package: str, url: str, service: str, revision: str = "head") -> None:
    """Apply migrations from inside a running event loop."""
    await asyncio.to_thread(upgrade, package, url, service, revision)


def _lock_key(service: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"lienthong-migrate:{service}".encode()).digest()[:8], "big", signed=True
    )


def run_env(target_metadata: MetaData) -> None:
    """Body of a service's ``migrations/env.py``: online migrations through the async engine."""
    from alembic import context

    config = context.config
    url = config.get_main_option("sqlalchemy.url") or ""
    service = config.attributes.get("service", "service")
    version_table = f"alembic_version_{service}"

    def do_run(connection: Connection) -> None:
        sqlite = connection.dialect.name == "sqlite"
        if not sqlite:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _lock_key(service)})
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                version_table=version_table,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if not sqlite:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(service)})
                connection.commit()

    async def run_async() -> None:
        engine = create_engine(url, poolclass=_null_pool())
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=target_metadata,
            version_table=version_table,
            literal_binds=True,
            render_as_batch=is_sqlite(url),
        )
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def create_event_tables(op: Any) -> None:
    """Create the ``outbox`` and ``processed_events`` tables of :mod:`lienthong_runtime.events`.

    Called by each service's first migration. Never change what it creates: a later change to these tables
    belongs in a new migration of every service, or databases migrated before and after would differ.
    """
    import sqlalchemy as sa

    op.create_table(
        "outbox",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def drop_event_tables(op: Any) -> None:
    """Undo :func:`create_event_tables`."""
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_published_at", "outbox")
    op.drop_table("outbox")
