"""The access log in the database: serialised appends (one writer at a time extends the chain) and reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ..domain.access_log import GENESIS_HASH, AccessAction, AccessLogEntry, chain
from .tables import access_log as t
from .tables import citizen_versions

#: The actor client id the bulk import records on the versions it loads (``bulk_import.py``).
BULK_IMPORT_ACTOR = "bulk-import"

#: Advisory lock that serialises appends across every registry process sharing a PostgreSQL database.
_APPEND_LOCK = 0x4C54_5245_4741_4C4F


def _entry(row: Any) -> AccessLogEntry:
    return AccessLogEntry(
        id=row.id,
        time_us=row.time_us,
        agency_id=row.agency_id,
        agency_name=row.agency_name,
        client_id=row.client_id,
        action=AccessAction(row.action),
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        fields=tuple(row.fields.split()),
        subject=row.subject,
        sealed_personal_id=row.sealed_personal_id,
        sequence=row.sequence,
        previous_hash=row.previous_hash,
        entry_hash=row.entry_hash,
    )


COLUMNS = [c.name for c in t.columns]
_INSERT = (
    f"INSERT INTO access_log ({', '.join(COLUMNS)}) "  # noqa: S608 (our own column names)
    f"VALUES ({', '.join(f'${i}' for i in range(1, len(COLUMNS) + 1))})"
)


def _values(e: AccessLogEntry) -> dict[str, Any]:
    return {
        "sequence": e.sequence,
        "id": e.id,
        "time_us": e.time_us,
        "agency_id": e.agency_id,
        "agency_name": e.agency_name,
        "client_id": e.client_id,
        "action": int(e.action),
        "purpose": e.purpose,
        "legal_basis": e.legal_basis,
        "fields": " ".join(e.fields),
        "subject": e.subject,
        "sealed_personal_id": e.sealed_personal_id,
        "previous_hash": e.previous_hash,
        "entry_hash": e.entry_hash,
    }


def _rows(linked: list[AccessLogEntry]) -> list[tuple[Any, ...]]:
    return [tuple(row[c] for c in COLUMNS) for row in map(_values, linked)]


async def append_pg(raw: Any, entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """PostgreSQL, on an asyncpg connection inside a transaction: one writer at a time extends the chain (the
    advisory lock is held until commit); the tail is read after taking it, in a statement of its own."""
    await raw.execute("SELECT pg_advisory_xact_lock($1)", _APPEND_LOCK)
    tail = await raw.fetchrow("SELECT sequence, entry_hash FROM access_log ORDER BY sequence DESC LIMIT 1")
    linked = chain(entries, tail["sequence"] if tail else 0, tail["entry_hash"] if tail else GENESIS_HASH)
    # executemany: one prepared statement, pipelined (COPY would re-introspect the table on every call).
    await raw.executemany(_INSERT, _rows(linked))
    return linked


async def append_pg_after(
    raw: Any, entries: list[AccessLogEntry], tail: tuple[int, str]
) -> list[AccessLogEntry]:
    """PostgreSQL, outside a transaction, when this writer committed the chain's tail ``(sequence, hash)``
    itself: the entries are chained after it and inserted in one round trip (asyncpg's ``executemany`` is
    atomic and commits at its end). The primary key on ``sequence`` is the guard: if any other writer has
    appended since, the first insert collides and nothing is written (``asyncpg.UniqueViolationError``), and
    the caller falls back to :func:`append_pg`. Entries are never chained after a stale tail."""
    linked = chain(entries, *tail)
    await raw.executemany(_INSERT, _rows(linked))
    return linked


async def append(session: AsyncSession, entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """SQLite (or any database through SQLAlchemy), inside a transaction: the engine's BEGIN IMMEDIATE holds the
    database write lock, which serialises writers."""
    last = (
        await session.execute(select(t.c.sequence, t.c.entry_hash).order_by(t.c.sequence.desc()).limit(1))
    ).first()
    linked = chain(entries, last.sequence if last else 0, last.entry_hash if last else GENESIS_HASH)
    await session.execute(insert(t), [_values(e) for e in linked])
    return linked


#: In-transaction appends retried after colliding with another process's lock-free append (see below).
_IN_TRANSACTION_ATTEMPTS = 5


async def append_in_transaction(session: AsyncSession, entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """Append inside the caller's transaction, so that a write and its WRITE entry commit together or not at all.

    On PostgreSQL the advisory lock (held until the caller's commit) keeps out the other locked appenders; a
    group-commit writer's lock-free append (:func:`append_pg_after`) may still take the next sequence, which
    surfaces here as a unique violation once it commits: the insert is undone to its savepoint and retried after
    reading the tail again. Call it last in the transaction: the lock is held until commit."""
    if session.get_bind().dialect.name != "postgresql":
        return await append(session, entries)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    for attempt in range(_IN_TRANSACTION_ATTEMPTS):
        try:
            async with session.begin_nested():
                return await append(session, entries)
        except IntegrityError:
            if attempt == _IN_TRANSACTION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def versions_without_write_entry(session: AsyncSession | AsyncConnection) -> int:
    """How many record versions written through the API have no WRITE entry about their record.

    Entries name the record by ``subject`` (the hex of the record's blind index), not by version, so this counts
    per record: versions beyond the number of WRITE entries are missing ones. Versions loaded by the operator's
    bulk import (actor ``bulk-import``) are not written to the access log, by design, and are not counted."""
    dialect = session.get_bind().dialect.name
    hex_index = (
        func.encode(citizen_versions.c.pid_index, "hex")
        if dialect == "postgresql"
        else func.lower(func.hex(citizen_versions.c.pid_index))
    )
    versions = (
        select(hex_index.label("subject"), func.count().label("n"))
        .where(citizen_versions.c.actor_client_id != BULK_IMPORT_ACTOR)
        .group_by(citizen_versions.c.pid_index)
        .subquery()
    )
    writes = (
        select(t.c.subject, func.count().label("n"))
        .where(t.c.action == int(AccessAction.WRITE))
        .group_by(t.c.subject)
        .subquery()
    )
    missing = func.coalesce(func.sum(versions.c.n - func.coalesce(writes.c.n, 0)), 0)
    query = (
        select(missing)
        .select_from(versions.outerjoin(writes, writes.c.subject == versions.c.subject))
        .where(versions.c.n > func.coalesce(writes.c.n, 0))
    )
    return int((await session.execute(query)).scalar_one())


async def page(
    session: AsyncSession | AsyncConnection,
    *,
    subject: str = "",
    agency_id: str = "",
    start_us: int = 0,
    end_us: int = 0,
    before: int | None = None,
    limit: int = 50,
) -> list[AccessLogEntry]:
    """Entries newest first, filtered by subject and/or agency and time, before the ``before`` sequence."""
    query = select(t)
    if subject:
        query = query.where(t.c.subject == subject)
    if agency_id:
        query = query.where(t.c.agency_id == agency_id)
    if start_us:
        query = query.where(t.c.time_us >= start_us)
    if end_us:
        query = query.where(t.c.time_us < end_us)
    if before is not None:
        query = query.where(t.c.sequence < before)
    rows = (await session.execute(query.order_by(t.c.sequence.desc()).limit(limit))).all()
    return [_entry(r) for r in rows]


async def previous_hash(session: AsyncSession | AsyncConnection, sequence: int) -> str | None:
    """The stored hash of entry ``sequence`` (trusted start of a partial check); None if absent."""
    row = (await session.execute(select(t.c.entry_hash).where(t.c.sequence == sequence))).first()
    return row.entry_hash if row else None


async def hashes_of(session: AsyncSession | AsyncConnection, sequences: set[int]) -> dict[int, str]:
    """The stored hashes of the given entries (to check the links of a page of entries in one query)."""
    if not sequences:
        return {}
    query = select(t.c.sequence, t.c.entry_hash).where(t.c.sequence.in_(sorted(sequences)))
    return {r.sequence: r.entry_hash for r in (await session.execute(query)).all()}


async def scan(
    session: AsyncSession | AsyncConnection, from_sequence: int, chunk: int = 5000
) -> AsyncIterator[list[AccessLogEntry]]:
    """Every entry from ``from_sequence`` on, in sequence order, in chunks."""
    after = from_sequence - 1
    while True:
        rows = (
            await session.execute(select(t).where(t.c.sequence > after).order_by(t.c.sequence).limit(chunk))
        ).all()
        if not rows:
            return
        yield [_entry(r) for r in rows]
        after = rows[-1].sequence
