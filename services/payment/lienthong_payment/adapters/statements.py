"""How the repositories run SQL: one set of SQLAlchemy Core statements, built from ``tables.py``, executed either
on a SQLAlchemy connection (SQLite, the embedded mode) or on a bare asyncpg connection (PostgreSQL, the hot path).

Measured on the create-and-complete path (3 transactions, 12 statements per payment): a SQLAlchemy checkout,
BEGIN/COMMIT and statement execution cost ~300 us of CPU per transaction and ~90 us per statement on top of the
asyncpg round trip itself. So on PostgreSQL the same statements run on asyncpg, compiled once at import time
(:func:`prepare`: the SQL text and the order of its ``$n`` parameters come from the table definitions, never a
column list typed by hand), and the writes of a transaction are held and sent together as one statement before
the next read or the COMMIT (:class:`PgStatements`): a notification that completes a payment is BEGIN, the
locked read, one write and COMMIT instead of nine round trips (each ~100 us of CPU in the kernel and asyncpg).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import insert

from ..handlers.ports import KeyConflict

PG = asyncpg_dialect()
Params = Mapping[str, Any]


@dataclass(frozen=True)
class Statement:
    """A Core statement with named bind parameters and its asyncpg form, compiled once."""

    core: Any
    sql: str
    names: tuple[str, ...]

    def args(self, params: Params | None) -> list[Any]:
        return [params[name] for name in self.names] if params else []


def prepare(statement: Any, *, asyncpg: bool = True) -> Statement:
    """``asyncpg=False`` for a statement of another dialect (SQLite's upsert), run by Core only."""
    if not asyncpg:
        return Statement(statement, "", ())
    compiled = statement.compile(dialect=PG)
    return Statement(statement, str(compiled), tuple(compiled.positiontup or ()))


@dataclass(frozen=True)
class RowsInsert:
    """Several rows into ``table`` in their order: Core's executemany, or on asyncpg one ``INSERT ... SELECT FROM
    unnest(...) WITH ORDINALITY`` whose serial ids follow the rows' order (transitions are read back by id).
    ``shared`` columns hold one value for every row (sent once, from the first row)."""

    core: Any
    sql: str
    shared: tuple[str, ...]
    names: tuple[str, ...]

    def args(self, rows: Sequence[Params]) -> list[Any]:
        first = rows[0]
        return [first[name] for name in self.shared] + [[row[name] for row in rows] for name in self.names]


def rows_insert(table: Table, names: Sequence[str], *, shared: Sequence[str] = ()) -> RowsInsert:
    def kind(name: str) -> str:
        return str(table.c[name].type.compile(dialect=PG))

    scalars = [f"${n}::{kind(name)}" for n, name in enumerate(shared, 1)]
    arrays = ", ".join(f"${n}::{kind(name)}[]" for n, name in enumerate(names, len(shared) + 1))
    aliases = [f"c{n}" for n in range(len(names))]
    # Identifiers from the table definition only; values go in as parameters.
    columns, values, listed = ", ".join([*shared, *names]), ", ".join(scalars + aliases), ", ".join(aliases)
    sql = f"INSERT INTO {table.name} ({columns}) SELECT {values} FROM unnest({arrays})"  # noqa: S608
    sql += f" WITH ORDINALITY AS x({listed}, n) ORDER BY n"
    return RowsInsert(insert(table), sql, tuple(shared), tuple(names))


def _unique_violation(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)


class CoreStatements:
    """On a SQLAlchemy ``AsyncSession``/``AsyncConnection``: every statement runs when called."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        bind: Any = conn.bind if isinstance(conn, AsyncSession) else conn  # a session or a connection
        self.dialect: str = bind.dialect.name

    async def _run(self, statement: Any, params: Any = None) -> Any:
        core = statement.core if isinstance(statement, Statement | RowsInsert) else statement
        try:
            return (
                await self.conn.execute(core, params) if params is not None else await self.conn.execute(core)
            )
        except IntegrityError as exc:
            if _unique_violation(exc):
                raise KeyConflict(str(exc.orig)) from exc
            raise

    async def row(self, statement: Any, params: Params | None = None) -> Mapping[str, Any] | None:
        return (await self._run(statement, params)).mappings().first()  # type: ignore[no-any-return]

    async def rows(self, statement: Any, params: Params | None = None) -> list[Mapping[str, Any]]:
        return list((await self._run(statement, params)).mappings().all())

    async def tuples(self, statement: Any) -> list[Sequence[Any]]:
        return list((await self._run(statement)).all())

    async def write(self, statement: Any, params: Params | None = None) -> None:
        await self._run(statement, params)

    async def write_rows(self, statement: RowsInsert, rows: Sequence[Params]) -> None:
        if rows:
            await self._run(statement, list(rows))


@functools.lru_cache(maxsize=256)
def _shifted(sql: str, offset: int) -> str:
    return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + offset}", sql) if offset else sql


def _compiled(statement: Any) -> tuple[str, list[Any]]:
    if isinstance(statement, Statement):
        raise TypeError("a prepared statement needs its parameters")
    compiled = statement.compile(dialect=PG, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    return str(compiled), [params[name] for name in compiled.positiontup or ()]


class PgStatements:
    """On an asyncpg connection. Inside a transaction (``batch``) writes are held and sent together, before the
    next read and before COMMIT, as one statement: each write a data-modifying CTE of ``SELECT 1``. PostgreSQL
    runs each exactly once, all-or-nothing, with constraints checked as usual; they share one snapshot, which is
    why reads flush first. A write's error surfaces at the flush, still inside the transaction, which then rolls
    back. Statements built per call (searches, reports) are compiled per call."""

    dialect = "postgresql"

    def __init__(self, conn: Any, *, batch: bool) -> None:
        self.conn = conn
        self._batch = batch
        self._parts: list[str] = []
        self._args: list[Any] = []

    @staticmethod
    def _sql(statement: Any, params: Params | None) -> tuple[str, list[Any]]:
        if type(statement) is Statement:
            return statement.sql, statement.args(params)
        return _compiled(statement)

    async def _send(self, sql: str, args: Sequence[Any]) -> None:
        try:
            await self.conn.execute(sql, *args)
        except asyncpg.UniqueViolationError as exc:
            raise KeyConflict(str(exc)) from exc

    async def write(self, statement: Any, params: Params | None = None) -> None:
        sql, args = self._sql(statement, params)
        await self._hold(sql, args)

    async def write_rows(self, statement: RowsInsert, rows: Sequence[Params]) -> None:
        if rows:
            await self._hold(statement.sql, statement.args(rows))

    async def _hold(self, sql: str, args: list[Any]) -> None:
        if not self._batch:
            await self._send(sql, args)
            return
        self._parts.append(_shifted(sql, len(self._args)))
        self._args.extend(args)

    async def flush(self) -> None:
        parts, args = self._parts, self._args
        if not parts:
            return
        self._parts, self._args = [], []
        if len(parts) == 1:
            await self._send(parts[0], args)
        else:
            ctes = ", ".join(f"w{i} AS ({part})" for i, part in enumerate(parts))
            await self._send(f"WITH {ctes} SELECT 1", args)

    async def row(self, statement: Any, params: Params | None = None) -> Any:
        await self.flush()
        sql, args = self._sql(statement, params)
        try:
            return await self.conn.fetchrow(sql, *args)
        except asyncpg.UniqueViolationError as exc:
            raise KeyConflict(str(exc)) from exc

    async def rows(self, statement: Any, params: Params | None = None) -> list[Any]:
        await self.flush()
        sql, args = self._sql(statement, params)
        return list(await self.conn.fetch(sql, *args))

    async def tuples(self, statement: Any) -> list[Sequence[Any]]:
        return await self.rows(statement)
