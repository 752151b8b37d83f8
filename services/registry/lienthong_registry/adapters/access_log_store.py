"""The access log in the database: serialised appends (one writer at a time extends the chain) and reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ..domain.access_log import GENESIS_HASH, AccessAction, AccessLogEntry, chain
from .tables import access_log as t
from .tables import access_log_archives as archives
from .tables import access_log_head as head
from .tables import citizen_versions

#: The actor client id the bulk import records on the versions it loads (``bulk_import.py``).
BULK_IMPORT_ACTOR = "bulk-import"

#: Advisory lock that serialises appends across every registry process sharing a PostgreSQL database.
_APPEND_LOCK = 0x4C54_5245_4741_4C4F


def _dialect(db: AsyncSession | AsyncConnection) -> str:
    """The database's dialect name: a connection has one, a session asks the engine it is bound to."""
    return db.dialect.name if isinstance(db, AsyncConnection) else db.get_bind().dialect.name


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
#: PostgreSQL array types of the columns, for inserting a batch as one ``unnest`` of column arrays.
_ARRAY_TYPES = {"sequence": "bigint[]", "time_us": "bigint[]", "action": "smallint[]"}
#: One statement moves the chain's head from the tail the entries were chained after ($4) to their last entry
#: ($1-$3) and inserts them only if it moved: atomic without a transaction, one round trip, and a writer that
#: chained after a stale tail inserts nothing (``INSERT 0 0``). The head's row lock orders concurrent writers;
#: the second re-reads the moved row and finds its condition false.
_UNNEST = ", ".join(f"${i}::{_ARRAY_TYPES.get(c, 'text[]')}" for i, c in enumerate(COLUMNS, start=5))
_APPEND = (
    "WITH moved AS (UPDATE access_log_head SET sequence = $1, entry_hash = $2, time_us = $3 "  # noqa: S608
    "WHERE id = 1 AND sequence = $4 RETURNING 1) "
    f"INSERT INTO access_log ({', '.join(COLUMNS)}) SELECT * FROM unnest({_UNNEST}) "
    "WHERE EXISTS (SELECT 1 FROM moved)"
)
_HEAD = "SELECT sequence, entry_hash, time_us FROM access_log_head WHERE id = 1"
_TAIL = "SELECT sequence, entry_hash, time_us FROM access_log ORDER BY sequence DESC LIMIT 1"

#: ``(sequence, entry_hash, time_us)`` of the chain's last entry.
Tail = tuple[int, str, int]
GENESIS: Tail = (0, GENESIS_HASH, 0)


class ChainMoved(Exception):
    """Another writer appended after the tail these entries were chained to: nothing was written."""


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


def _tail_of(linked: list[AccessLogEntry]) -> Tail:
    return linked[-1].sequence, linked[-1].entry_hash, linked[-1].time_us


async def _insert_pg(raw: Any, linked: list[AccessLogEntry], after: Tail) -> None:
    values = [_values(e) for e in linked]
    arrays = [[v[c] for v in values] for c in COLUMNS]
    status = await raw.execute(_APPEND, *_tail_of(linked), after[0], *arrays)
    if status.rsplit(" ", 1)[-1] != str(len(linked)):
        raise ChainMoved


async def head_pg(raw: Any) -> Tail:
    """The chain's head on an asyncpg connection, created from the log's last entry if it is missing (call it
    holding the append lock)."""
    row = await raw.fetchrow(_HEAD)
    if row is None:
        last = await raw.fetchrow(_TAIL)
        tail = (last["sequence"], last["entry_hash"], last["time_us"]) if last else GENESIS
        await raw.execute(
            "INSERT INTO access_log_head (id, sequence, entry_hash, time_us) VALUES (1, $1, $2, $3) "
            "ON CONFLICT (id) DO NOTHING",
            *tail,
        )
        row = await raw.fetchrow(_HEAD)
    return row["sequence"], row["entry_hash"], row["time_us"]


async def append_pg(raw: Any, entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """PostgreSQL, on an asyncpg connection inside a transaction: one locked writer at a time extends the chain
    (the advisory lock is held until commit); the head is read after taking it. A lock-free writer can still
    move the head first: then :class:`ChainMoved` is raised and the caller reads the head again."""
    await raw.execute("SELECT pg_advisory_xact_lock($1)", _APPEND_LOCK)
    tail = await head_pg(raw)
    linked = chain(entries, *tail)
    await _insert_pg(raw, linked, tail)
    return linked


async def append_pg_after(raw: Any, entries: list[AccessLogEntry], tail: Tail) -> list[AccessLogEntry]:
    """PostgreSQL, outside a transaction, when this writer committed the chain's tail itself: the entries are
    chained after it and written in one statement that moves the head only if it still holds ``tail``. If any
    other writer has appended since, nothing is written and :class:`ChainMoved` is raised; the caller falls back
    to :func:`append_pg`. Entries are never chained after a stale tail.

    The head, not a primary key, is the guard: the partitioned log's primary key is ``(sequence, time_us)``
    (a partitioned table's keys must hold the partition key), which two writers' entries of one sequence and
    different times would not violate."""
    linked = chain(entries, *tail)
    await _insert_pg(raw, linked, tail)
    return linked


async def append(session: AsyncSession, entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """Through SQLAlchemy (SQLite, or PostgreSQL inside a caller's transaction): read the head, chain after it,
    move it on condition that it did not move (:class:`ChainMoved` otherwise), insert. On SQLite the engine's
    BEGIN IMMEDIATE holds the database write lock, which serialises writers."""
    found = (await session.execute(select(head.c.sequence, head.c.entry_hash, head.c.time_us))).first()
    if found is not None:
        tail: Tail = (found[0], found[1], found[2])
    else:
        newest = select(t.c.sequence, t.c.entry_hash, t.c.time_us).order_by(t.c.sequence.desc()).limit(1)
        last = (await session.execute(newest)).first()
        tail = (last[0], last[1], last[2]) if last is not None else GENESIS
        await session.execute(
            insert(head).values(id=1, sequence=tail[0], entry_hash=tail[1], time_us=tail[2])
        )
    linked = chain(entries, *tail)
    last_sequence, last_hash, last_time = _tail_of(linked)
    moved = await session.execute(
        update(head)
        .where(head.c.id == 1, head.c.sequence == tail[0])
        .values(sequence=last_sequence, entry_hash=last_hash, time_us=last_time)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ChainMoved
    await session.execute(insert(t), [_values(e) for e in linked])
    return linked


#: In-transaction appends retried after another process's lock-free append moved the head (see below).
_IN_TRANSACTION_ATTEMPTS = 5


async def append_in_transaction(session: AsyncSession, entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """Append inside the caller's transaction, so that a write and its WRITE entry commit together or not at all.

    On PostgreSQL the advisory lock (held until the caller's commit) keeps out the other locked appenders; a
    group-commit writer's lock-free append (:func:`append_pg_after`) may still move the head first: the
    conditional move then changes nothing, nothing is inserted, and the head is read again. Call it last in
    the transaction: the lock and the head's row lock are held until commit."""
    if session.get_bind().dialect.name != "postgresql":
        return await append(session, entries)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    for attempt in range(_IN_TRANSACTION_ATTEMPTS):
        try:
            return await append(session, entries)
        except ChainMoved:
            if attempt == _IN_TRANSACTION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def versions_without_write_entry(session: AsyncSession | AsyncConnection, since_us: int = 0) -> int:
    """How many record versions written through the API (at ``since_us`` or later) have no WRITE entry about
    their record.

    ``since_us`` is where the log still attached begins once months are detached: a version's entry is never
    older than the version (same transaction, and the chain only raises times), so versions from then on have
    their entries in the log; older ones have theirs in the archives.

    Entries name the record by ``subject`` (the hex of the record's blind index), not by version, so this counts
    per record: versions beyond the number of WRITE entries are missing ones. Versions loaded by the operator's
    bulk import (actor ``bulk-import``) are not written to the access log, by design, and are not counted."""
    hex_index = (
        func.encode(citizen_versions.c.pid_index, "hex")
        if _dialect(session) == "postgresql"
        else func.lower(func.hex(citizen_versions.c.pid_index))
    )
    versions = (
        select(hex_index.label("subject"), func.count().label("n"))
        .where(
            citizen_versions.c.actor_client_id != BULK_IMPORT_ACTOR, citizen_versions.c.created_us >= since_us
        )
        .group_by(citizen_versions.c.pid_index)
        .subquery()
    )
    writes = (
        select(t.c.subject, func.count().label("n"))
        .where(t.c.action == int(AccessAction.WRITE), t.c.time_us >= since_us)
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
    """The stored hash of entry ``sequence`` (trusted start of a partial check), from the log or from the anchor
    of a detached month that ended with it; None if absent."""
    return (await hashes_of(session, {sequence})).get(sequence)


async def hashes_of(session: AsyncSession | AsyncConnection, sequences: set[int]) -> dict[int, str]:
    """The stored hashes of the given entries (to check the links of a page of entries in one query); the last
    entry of a detached month answers from its anchor."""
    if not sequences:
        return {}
    wanted = sorted(sequences)
    query = select(t.c.sequence, t.c.entry_hash).where(t.c.sequence.in_(wanted))
    found = {r.sequence: r.entry_hash for r in (await session.execute(query)).all()}
    if len(found) < len(wanted):
        anchors = select(archives.c.last_sequence, archives.c.last_hash).where(
            archives.c.last_sequence.in_([s for s in wanted if s not in found])
        )
        found.update({r.last_sequence: r.last_hash for r in (await session.execute(anchors)).all()})
    return found


async def archived_months(session: AsyncSession | AsyncConnection) -> list[Any]:
    """The anchors of the detached months of the log, oldest first."""
    return list((await session.execute(select(archives).order_by(archives.c.first_sequence))).all())


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
