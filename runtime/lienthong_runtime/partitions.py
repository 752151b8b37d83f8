"""Tables that grow forever, partitioned by month on PostgreSQL (declarative ``PARTITION BY RANGE``).

A service lists its time-partitioned tables as :class:`TimePartitioned` specs (``<package>.adapters.partitions``,
``PARTITIONED``). Its migration converts an existing plain table, rows included, with :func:`convert` (a no-op on
SQLite, where the tables stay plain). The operator command ``lienthong partitions SERVICE ...`` then creates the
months ahead (:func:`create_ahead`), detaches the oldest months (:func:`detach_before`) and archives detached ones
(:func:`archive_detached`: ``COPY`` to a file, its SHA-256 and a manifest written, then ``DROP``).

Partitions are named ``<table>_pYYYYMM`` and cover one calendar month in UTC; no default partition exists, so a
row for a month that has no partition is refused (create months ahead: ``partitions create --ahead N``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

Month = tuple[int, int]
#: Called in a transaction committed just before a partition is detached (asyncpg connection, partition name),
#: e.g. to record a hash chain's anchor; it may run again for the same partition if a detach was interrupted.
DetachHook = Callable[[Any, str], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class TimePartitioned:
    """One monthly range-partitioned table."""

    table: str
    #: The partition key: the row's time.
    column: str
    #: ``"microseconds"`` (BIGINT microseconds since the epoch) or ``"timestamptz"``.
    unit: str = "timestamptz"
    #: SQL condition of rows that must not leave the database (an outbox's unpublished events): a month that
    #: still holds one is not detached.
    keep_while: str = ""
    #: Runs just before the detach; refusing (raising) keeps the partition attached.
    on_detach: DetachHook | None = None


class PartitionRefused(Exception):
    """A partition cannot be detached or archived (the message says why)."""


def month_of(moment: datetime) -> Month:
    return moment.year, moment.month


def add_months(month: Month, n: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def partition_name(table: str, month: Month) -> str:
    return f"{table}_p{month[0]:04d}{month[1]:02d}"


def parse_month(value: str) -> Month:
    """``YYYY-MM`` as a month (raises ValueError otherwise)."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    return int(found.group(1)), int(found.group(2))


def _bound(spec: TimePartitioned, month: Month) -> str:
    start = datetime(month[0], month[1], 1, tzinfo=UTC)
    if spec.unit == "microseconds":
        return str(int(start.timestamp()) * 1_000_000)
    return f"'{start.isoformat()}'"


def _create_sql(spec: TimePartitioned, month: Month) -> str:
    # Identifiers and bounds are ours (table names from code, integers, ISO dates): nothing from a caller.
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(spec.table, month)} PARTITION OF {spec.table} "
        f"FOR VALUES FROM ({_bound(spec, month)}) TO ({_bound(spec, add_months(month, 1))})"
    )


def _month_expr(spec: TimePartitioned, aggregate: str, table: str) -> str:
    value = (
        f"to_timestamp({aggregate}({spec.column}) / 1e6)"
        if spec.unit == "microseconds"
        else (f"{aggregate}({spec.column})")
    )
    return f"SELECT to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM') FROM {table}"  # noqa: S608 (our names)


def partition_month(table: str, name: str) -> Month | None:
    """The month of partition ``name`` of ``table`` (None if it is not one)."""
    found = re.fullmatch(rf"{re.escape(table)}_p(\d{{4}})(\d{{2}})", name)
    return (int(found.group(1)), int(found.group(2))) if found else None


# -- in migrations (a synchronous SQLAlchemy connection) ---------------------------------------------------


def convert(
    conn: Connection,
    spec: TimePartitioned,
    *,
    primary_key: Sequence[str],
    uniques: Sequence[tuple[str, Sequence[str]]] = (),
    indexes: Sequence[tuple[str, Sequence[str]]] = (),
    ahead: int = 3,
) -> None:
    """Turn the plain table ``spec.table`` into a monthly partitioned one with its rows, on PostgreSQL.

    A partitioned table's primary key and unique constraints must contain the partition key, so ``spec.column``
    is appended to ``primary_key`` and each of ``uniques`` (``(name, columns)``); ``indexes`` are recreated as
    given. Serial columns keep their sequence (and its position). Partitions cover every month from the oldest
    row to ``ahead`` months after the current one. Nothing happens on SQLite or if the table is partitioned
    already."""
    if conn.dialect.name != "postgresql" or _is_partitioned(conn, spec.table):
        return
    t, old = spec.table, f"{spec.table}__plain"
    conn.execute(text(f"ALTER TABLE {t} RENAME TO {old}"))
    # Renaming an index of a constraint renames the constraint too: the new table can take the old names.
    for (index,) in conn.execute(
        text("SELECT indexname FROM pg_indexes WHERE tablename = :t AND schemaname = current_schema()"),
        {"t": old},
    ).all():
        conn.execute(text(f'ALTER INDEX "{index}" RENAME TO "{index[:50]}__plain"'))
    conn.execute(
        text(
            f"CREATE TABLE {t} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE ({spec.column})"
        )
    )
    key = [*primary_key, *([spec.column] if spec.column not in primary_key else [])]
    conn.execute(text(f"ALTER TABLE {t} ADD CONSTRAINT {t}_pkey PRIMARY KEY ({', '.join(key)})"))
    for name, columns in uniques:
        cols = [*columns, *([spec.column] if spec.column not in columns else [])]
        conn.execute(text(f"ALTER TABLE {t} ADD CONSTRAINT {name} UNIQUE ({', '.join(cols)})"))
    for name, columns in indexes:
        conn.execute(text(f"CREATE INDEX {name} ON {t} ({', '.join(columns)})"))
    _move_sequences(conn, old, t)
    now = month_of(datetime.now(UTC))
    oldest = conn.execute(text(_month_expr(spec, "min", old))).scalar()
    newest = conn.execute(text(_month_expr(spec, "max", old))).scalar()
    first = min(parse_month(oldest), now) if oldest else now
    last = max(parse_month(newest), add_months(now, ahead)) if newest else add_months(now, ahead)
    month = first
    while month <= last:
        conn.execute(text(_create_sql(spec, month)))
        month = add_months(month, 1)
    conn.execute(text(f"INSERT INTO {t} SELECT * FROM {old}"))  # noqa: S608 (our names)
    conn.execute(text(f"DROP TABLE {old}"))


def unpartition(
    conn: Connection,
    spec: TimePartitioned,
    *,
    primary_key: Sequence[str],
    uniques: Sequence[tuple[str, Sequence[str]]] = (),
    indexes: Sequence[tuple[str, Sequence[str]]] = (),
) -> None:
    """Undo :func:`convert` (a downgrade): a plain table with the rows of the attached partitions."""
    if conn.dialect.name != "postgresql" or not _is_partitioned(conn, spec.table):
        return
    t, old = spec.table, f"{spec.table}__partitioned"
    conn.execute(text(f"ALTER TABLE {t} RENAME TO {old}"))
    for (index,) in conn.execute(
        text("SELECT indexname FROM pg_indexes WHERE tablename = :t AND schemaname = current_schema()"),
        {"t": old},
    ).all():
        conn.execute(text(f'ALTER INDEX "{index}" RENAME TO "{index[:45]}__partitioned"'))
    conn.execute(text(f"CREATE TABLE {t} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    conn.execute(text(f"ALTER TABLE {t} ADD CONSTRAINT {t}_pkey PRIMARY KEY ({', '.join(primary_key)})"))
    for name, columns in uniques:
        conn.execute(text(f"ALTER TABLE {t} ADD CONSTRAINT {name} UNIQUE ({', '.join(columns)})"))
    for name, columns in indexes:
        conn.execute(text(f"CREATE INDEX {name} ON {t} ({', '.join(columns)})"))
    _move_sequences(conn, old, t)
    conn.execute(text(f"INSERT INTO {t} SELECT * FROM {old}"))  # noqa: S608 (our names)
    conn.execute(text(f"DROP TABLE {old} CASCADE"))


def _move_sequences(conn: Connection, old: str, new: str) -> None:
    """Serial columns' sequences follow the rows to the new table (ownership and position)."""
    owned = conn.execute(
        text(
            "SELECT attname, pg_get_serial_sequence(CAST(:t AS text), CAST(attname AS text)) FROM pg_attribute "
            "WHERE attrelid = CAST(CAST(:t AS text) AS regclass) AND attnum > 0 AND NOT attisdropped"
        ),
        {"t": old},
    ).all()
    for column, sequence in owned:
        if sequence is not None:
            conn.execute(text(f"ALTER SEQUENCE {sequence} OWNED BY {new}.{column}"))


def _is_partitioned(conn: Connection, table: str) -> bool:
    kind = conn.execute(
        text(
            "SELECT CAST(c.relkind AS text) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = :t AND n.nspname = current_schema()"
        ),
        {"t": table},
    ).scalar()
    return kind == "p"


# -- operator commands (an asyncpg connection) ---------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    name: str
    month: Month
    attached: bool


async def partitions(conn: Any, spec: TimePartitioned) -> list[Partition]:
    """The table's monthly partitions, attached or detached (not yet archived), oldest first."""
    rows = await conn.fetch(
        "SELECT c.relname, EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid "
        "AND i.inhparent = CAST($1 AS regclass)) AS attached FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' "
        "AND c.relname LIKE $2",
        spec.table,
        f"{spec.table}\\_p%",
    )
    found = [
        Partition(r["relname"], month, r["attached"])
        for r in rows
        if (month := partition_month(spec.table, r["relname"])) is not None
    ]
    return sorted(found, key=lambda p: p.month)


async def create_ahead(
    conn: Any, spec: TimePartitioned, ahead: int, now: datetime | None = None
) -> list[str]:
    """Create the partitions of the current month and ``ahead`` months after it that do not exist yet."""
    current = month_of(now or datetime.now(UTC))
    existing = {p.month for p in await partitions(conn, spec)}
    created = []
    for n in range(ahead + 1):
        month = add_months(current, n)
        if month not in existing:
            await conn.execute(_create_sql(spec, month))
            created.append(partition_name(spec.table, month))
    return created


async def detach_before(conn: Any, spec: TimePartitioned, before: Month) -> list[str]:
    """Detach every attached partition of a month before ``before``, oldest first; stops at the first that must
    stay (:class:`PartitionRefused`).

    Each month's checks and the spec's ``on_detach`` hook commit first, then ``DETACH PARTITION ... CONCURRENTLY``
    runs (PostgreSQL 14+): it waits for the transactions using the table instead of locking every reader and
    writer of it out meanwhile. A hook must therefore be harmless to run again (a detach interrupted between
    the two is finished by the next run: ``FINALIZE``)."""
    if before > month_of(datetime.now(UTC)):
        raise PartitionRefused("only months before the current one can be detached")
    detached = []
    for part in await partitions(conn, spec):
        if not part.attached or part.month >= before:
            continue
        async with conn.transaction():
            if spec.keep_while:
                kept = await conn.fetchval(
                    f"SELECT count(*) FROM {part.name} WHERE {spec.keep_while}"  # noqa: S608 (our names)
                )
                if kept:
                    raise PartitionRefused(f"{part.name} still holds {kept} row(s) where {spec.keep_while}")
            if spec.on_detach is not None:
                await spec.on_detach(conn, part.name)
        pending = await conn.fetchval(
            "SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = CAST($1 AS regclass)", part.name
        )
        how = "FINALIZE" if pending else "CONCURRENTLY"
        await conn.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {part.name} {how}")
        detached.append(part.name)
    return detached


async def archive_detached(conn: Any, spec: TimePartitioned, directory: Path) -> list[dict[str, Any]]:
    """Archive every detached partition: ``COPY`` its rows to ``<name>.copy`` in ``directory`` (PostgreSQL's
    text format, loadable again with ``COPY ... FROM``), write the file's SHA-256 and a manifest
    (``<name>.json``), read the file back to check the digest, and only then ``DROP`` the table."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    done = []
    for part in await partitions(conn, spec):
        if part.attached:
            continue
        data = directory / f"{part.name}.copy"
        columns = [
            r["attname"]
            for r in await conn.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = CAST($1 AS regclass) AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum",
                part.name,
            )
        ]
        rows = await conn.fetchval(f"SELECT count(*) FROM {part.name}")  # noqa: S608 (our names)
        await conn.copy_from_table(part.name, output=str(data))
        manifest = {
            "table": spec.table,
            "partition": part.name,
            "month": f"{part.month[0]:04d}-{part.month[1]:02d}",
            "columns": columns,
            "rows": rows,
            "file": data.name,
            "sha256": await asyncio.to_thread(_sha256, data),
            "archived_at": datetime.now(UTC).isoformat(),
        }
        await asyncio.to_thread(_write_manifest, directory, manifest)
        if (
            await asyncio.to_thread(_sha256, data) != manifest["sha256"]
            or await asyncio.to_thread(_lines, data) != rows
        ):
            raise PartitionRefused(f"{data} does not read back as written; {part.name} is kept")
        await conn.execute(f"DROP TABLE {part.name}")
        done.append(manifest)
    return done


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    name = manifest["partition"]
    (directory / f"{name}.sha256").write_text(f"{manifest['sha256']}  {manifest['file']}\n", encoding="utf-8")
    (directory / f"{name}.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _lines(path: Path) -> int:
    # COPY's text format escapes newlines inside values: one line per row.
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


#: The outbox of :mod:`lienthong_runtime.events`, by month of ``created_at``; a month is detached only once
#: every event in it is published.
OUTBOX = TimePartitioned("outbox", "created_at", keep_while="published_at IS NULL")
_OUTBOX_SHAPE: dict[str, Any] = {
    "primary_key": ["seq"],
    "uniques": [("outbox_event_id_key", ["event_id"])],
    "indexes": [("ix_outbox_published_at", ["published_at"])],
}


def convert_outbox(conn: Connection) -> None:
    """Partition a service's outbox (its migration's upgrade). ``event_id`` stays unique per month only: ids
    are random UUIDs, and consumers drop a second delivery by id anyway (``processed_events``)."""
    convert(conn, OUTBOX, **_OUTBOX_SHAPE)


def unpartition_outbox(conn: Connection) -> None:
    """Undo :func:`convert_outbox` (the downgrade)."""
    unpartition(conn, OUTBOX, **_OUTBOX_SHAPE)
