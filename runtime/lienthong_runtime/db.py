"""Async SQLAlchemy engine and session factory for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from .files import private_sqlite

#: The pool of an engine made by :func:`create_engine` unless the caller sizes it: at most the sum connections.
DEFAULT_POOL_SIZE, DEFAULT_MAX_OVERFLOW = 20, 5
ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}


def async_url(url: str) -> str:
    """Normalise ``postgresql://`` / ``sqlite://`` URLs to their async drivers."""
    parsed = make_url(url)
    if "+" not in parsed.drivername and parsed.drivername in ASYNC_DRIVERS:
        parsed = parsed.set(drivername=ASYNC_DRIVERS[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


#: ``?prepared_statement_cache_size=0`` on a PostgreSQL URL (SQLAlchemy's own option) says a transaction-mode
#: pooler that cannot keep prepared statements (PgBouncer before 1.21; Debian 12 ships 1.18) sits in between:
#: every driver then uses unnamed statements, parsed again with each execution in the same round trip, so that no
#: statement outlives the transaction that holds a server connection. About one Parse per call more on the server.
NO_PREPARED = "prepared_statement_cache_size"


def behind_transaction_pooler(url: str) -> bool:
    """Whether ``url`` asks for no prepared statements (see :data:`NO_PREPARED`)."""
    return make_url(url).query.get(NO_PREPARED) == "0"


def asyncpg_connect_args(url: str) -> tuple[str, dict[str, Any]]:
    """The DSN and keyword arguments for ``asyncpg.connect``/``create_pool`` from a service's database URL: the
    SQLAlchemy driver name and the pooler option (which asyncpg would send as a server setting) are taken out."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.query.get(NO_PREPARED) == "0":
        kwargs["statement_cache_size"] = 0
    parsed = parsed.difference_update_query([NO_PREPARED]).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False), kwargs


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine for ``url``. SQLite gets WAL, foreign keys and a busy timeout; its folder is created, and its
    file (hence its WAL) is owner-only (0600)."""
    url = async_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_sqlite(database)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # pysqlite's deferred BEGIN lets two writers read the same row and both write; IMMEDIATE takes the
            # write lock up front so read-check-write sequences are serialised like SELECT ... FOR UPDATE.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if behind_transaction_pooler(url):
        # SQLAlchemy names each statement it prepares: unnamed ones ("") are re-parsed per execution by asyncpg
        # (statement_cache_size=0), so none is left on a server connection another client gets next.
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args |= {"statement_cache_size": 0, "prepared_statement_name_func": _unnamed}
        kwargs["connect_args"] = connect_args
    if "poolclass" not in kwargs:
        # No pre-ping: on asyncpg it costs three round trips per checkout. A connection lost to a database
        # restart fails its call once with UNAVAILABLE (see interceptors), which clients retry; recycling
        # bounds how long an idle connection is trusted. Overflow connections are kept small because they are
        # closed on return, so steady concurrency above the pool would keep reconnecting.
        kwargs.setdefault("pool_size", DEFAULT_POOL_SIZE)
        kwargs.setdefault("max_overflow", DEFAULT_MAX_OVERFLOW)
        kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(url, **kwargs)


def _unnamed() -> str:
    return ""


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
