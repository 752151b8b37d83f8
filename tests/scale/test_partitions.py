"""Monthly partitions (issue #18, point 2): a registry database with rows in past months migrates to the
partitioned access log and outbox with every row and an intact chain; concurrent writers of every kind keep one
chain; months are created ahead, detached (the chain's anchor recorded, an outbox month only once published) and
archived to checked files, and what remains still verifies. The other services' partitioned tables convert with
their rows and sequences; SQLite keeps plain tables."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import time
import uuid
from contextlib import redirect_stdout
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from alembic import command

from lienthong_cli import partitions as partitions_cli
from lienthong_registry.adapters import access_log_store
from lienthong_registry.adapters.access_log_writer import AccessLogWriter
from lienthong_registry.adapters.partitions import PARTITIONED
from lienthong_registry.adapters.uow import SqlRegistryUnitOfWork
from lienthong_registry.domain.access_log import GENESIS_HASH, AccessAction, AccessLogEntry, chain
from lienthong_registry.handlers import audit
from lienthong_runtime import migrations
from lienthong_runtime.db import asyncpg_connect_args, create_engine, session_factory
from lienthong_runtime.partitions import (
    OUTBOX,
    PartitionRefused,
    add_months,
    archive_detached,
    create_ahead,
    detach_before,
    month_of,
    partition_name,
    partitions,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

ACCESS_LOG = PARTITIONED[0]
NOW = month_of(datetime.now(UTC))
#: Three past months of existing rows (the oldest first), then this month.
PAST = [add_months(NOW, -3), add_months(NOW, -2), add_months(NOW, -1)]
PER_MONTH = 40


async def verify_chain(sessions: Any) -> Any:
    """The registry's chain check through its SQL unit of work, as ``lienthong registry verify-log`` runs it."""
    return await audit.verify_chain(SqlRegistryUnitOfWork(sessions, None))


def _us(month: tuple[int, int], offset_s: int = 0) -> int:
    return int(datetime(*month, 1, tzinfo=UTC).timestamp() + 3600 + offset_s) * 1_000_000


def _entry(time_us: int, agency: str = "a") -> AccessLogEntry:
    return AccessLogEntry(
        id=str(uuid.uuid4()),
        time_us=time_us,
        agency_id=agency,
        agency_name=agency,
        client_id="c",
        action=AccessAction.READ,
        purpose="p.q",
        legal_basis="law",
        fields=("full_name",),
        subject=hashlib.sha256(agency.encode()).hexdigest(),
        sealed_personal_id="k:xyz",
    )


async def _connect(url: str) -> asyncpg.Connection:
    dsn, options = asyncpg_connect_args(url)
    return await asyncpg.connect(dsn, **options)


async def _seed_before_partitioning(url: str) -> list[AccessLogEntry]:
    """Rows as a registry at migration 0003 wrote them: a chain across three past months, outbox events."""
    entries = chain([_entry(_us(m, i)) for m in PAST for i in range(PER_MONTH)], 0, GENESIS_HASH)
    conn = await _connect(url)
    try:
        columns = access_log_store.COLUMNS
        await conn.executemany(
            f"INSERT INTO access_log ({', '.join(columns)}) "
            f"VALUES ({', '.join(f'${i}' for i in range(1, len(columns) + 1))})",
            [tuple(access_log_store._values(e)[c] for c in columns) for e in entries],
        )
        for month in PAST:
            at = datetime(*month, 2, tzinfo=UTC)
            await conn.executemany(
                "INSERT INTO outbox (event_id, type, envelope, created_at, published_at, attempts) "
                "VALUES ($1, 'x.y', $2, $3, $4, 0)",
                [(uuid.uuid4().hex, b"e", at, at) for _ in range(5)],
            )
        # One event of the last past month is not published yet: its month must stay attached.
        await conn.execute(
            "INSERT INTO outbox (event_id, type, envelope, created_at, published_at, attempts) "
            "VALUES ('unpublished', 'x.y', 'e', $1, NULL, 0)",
            datetime(*PAST[-1], 3, tzinfo=UTC),
        )
    finally:
        await conn.close()
    return entries


async def test_the_registry_migrates_its_rows_into_months_and_keeps_one_verifiable_chain(
    pg_url: str, tmp_path: Path
):
    await migrations.upgrade_async("lienthong_registry", pg_url, "registry", "0003")
    existing = await _seed_before_partitioning(pg_url)
    await migrations.upgrade_async("lienthong_registry", pg_url, "registry")

    conn = await _connect(pg_url)
    engine = create_engine(pg_url)
    sessions = session_factory(engine)
    writers = [AccessLogWriter(sessions, pg_url=pg_url) for _ in range(3)]
    try:
        # The existing rows are in their months, the tables are partitioned, and the chain's head is its tail.
        for table in ("access_log", "outbox"):
            assert await conn.fetchval("SELECT relkind::text FROM pg_class WHERE relname = $1", table) == "p"
        for month in PAST:
            name = partition_name("access_log", month)
            assert await conn.fetchval(f"SELECT count(*) FROM {name}") == PER_MONTH
        head = await conn.fetchrow("SELECT sequence, entry_hash FROM access_log_head")
        assert (head["sequence"], head["entry_hash"]) == (existing[-1].sequence, existing[-1].entry_hash)
        check = await verify_chain(sessions)
        assert check.intact and check.checked == len(existing), check.detail
        # The outbox's sequence continues after the rows that moved.
        new_seq = await conn.fetchval(
            "INSERT INTO outbox (event_id, type, envelope, created_at, attempts) "
            "VALUES ('after', 'x.y', 'e', now(), 0) RETURNING seq"
        )
        assert new_seq == 3 * 5 + 1 + 1

        # Concurrent appends from three group-commit writers (lock-free after their own tails, locked otherwise)
        # and in-transaction appends (a record write and its entry): one chain, every sequence once.
        async def in_transaction(agency: str) -> None:
            async with sessions() as session, session.begin():
                await access_log_store.append_in_transaction(
                    session, [_entry(time.time_ns() // 1000, agency)]
                )

        for _ in range(4):
            await asyncio.gather(
                *(
                    w.append([_entry(time.time_ns() // 1000, f"w{i}")])
                    for i, w in enumerate(writers)
                    for _ in range(6)
                ),
                *(in_transaction("tx") for _ in range(4)),
            )
        total = len(existing) + 4 * (3 * 6 + 4)
        assert await conn.fetchval("SELECT count(DISTINCT sequence) FROM access_log") == total
        assert await conn.fetchval("SELECT max(sequence) FROM access_log") == total
        check = await verify_chain(sessions)
        assert check.intact and check.checked == total, check.detail

        # Months ahead: this month and three more exist after the migration; creating is idempotent.
        assert await create_ahead(conn, ACCESS_LOG, 3) == []
        assert await create_ahead(conn, ACCESS_LOG, 5) == [
            partition_name("access_log", add_months(NOW, 4)),
            partition_name("access_log", add_months(NOW, 5)),
        ]

        # A detach interrupted after its anchor was recorded: the month is still attached, the chain still
        # verifies (from the anchor on), and the next run finishes it without a second anchor.
        async with conn.transaction():
            await ACCESS_LOG.on_detach(conn, partition_name("access_log", PAST[0]))  # type: ignore[misc]
        check = await verify_chain(sessions)
        assert check.intact and check.checked == total - PER_MONTH, check.detail

        # Detach every past month: the access log's carry their anchors; the outbox keeps the month that
        # still holds an unpublished event (and the ones after it).
        detached = await detach_before(conn, ACCESS_LOG, NOW)
        assert detached == [partition_name("access_log", m) for m in PAST]
        with pytest.raises(PartitionRefused, match="published_at IS NULL"):
            await detach_before(conn, OUTBOX, NOW)
        await conn.execute("UPDATE outbox SET published_at = now() WHERE event_id = 'unpublished'")
        assert await detach_before(conn, OUTBOX, NOW) == [partition_name("outbox", PAST[-1])]
        anchors = await conn.fetch("SELECT * FROM access_log_archives ORDER BY first_sequence")
        assert [(a["first_sequence"], a["last_sequence"]) for a in anchors] == [
            (1 + i * PER_MONTH, (i + 1) * PER_MONTH) for i in range(3)
        ]
        assert anchors[-1]["last_hash"] == existing[-1].entry_hash

        # What remains verifies from the last anchor; a citizen's entry right after the cut still shows its
        # link as holding (its predecessor's hash comes from the anchor).
        check = await verify_chain(sessions)
        assert check.intact and check.checked == total - len(existing), check.detail
        first_left = await conn.fetchval("SELECT min(sequence) FROM access_log")
        assert first_left == len(existing) + 1
        async with sessions() as session:
            hashes = await access_log_store.hashes_of(session, {first_left - 1})
        assert hashes == {first_left - 1: existing[-1].entry_hash}

        # Archive: files with their checksums and manifests, read back, then the tables dropped.
        archived = await archive_detached(conn, ACCESS_LOG, tmp_path)
        assert [m["partition"] for m in archived] == detached
        for manifest in archived:
            data = tmp_path / manifest["file"]
            assert hashlib.sha256(data.read_bytes()).hexdigest() == manifest["sha256"]
            assert (tmp_path / f"{manifest['partition']}.sha256").read_text().split()[0] == manifest["sha256"]
            assert json.loads((tmp_path / f"{manifest['partition']}.json").read_text())["rows"] == PER_MONTH
            assert len(data.read_bytes().splitlines()) == PER_MONTH
        assert [p for p in await partitions(conn, ACCESS_LOG) if not p.attached] == []
        check = await verify_chain(sessions)
        assert check.intact and check.checked == total - len(existing), check.detail

        # An archived month restores with COPY and its entries verify from the anchor before it.
        middle = archived[1]
        await conn.execute("CREATE TABLE restored (LIKE access_log)")
        await conn.copy_to_table("restored", source=str(tmp_path / middle["file"]))
        rows = await conn.fetch("SELECT * FROM restored ORDER BY sequence")
        restored = [access_log_store._entry(SimpleNamespace(**dict(r))) for r in rows]
        assert restored[0].previous_hash == anchors[0]["last_hash"]
        assert (
            chain(
                [replace(e, sequence=0, previous_hash="", entry_hash="") for e in restored],
                anchors[0]["last_sequence"],
                anchors[0]["last_hash"],
            )
            == restored
        )

        # New entries after the archive keep extending the same chain.
        await writers[0].append([_entry(time.time_ns() // 1000)])
        assert (await verify_chain(sessions)).intact
    finally:
        for w in writers:
            await w.close()
        await engine.dispose()
        await conn.close()


async def test_a_month_dropped_without_its_anchor_breaks_the_verification(pg_url: str):
    await migrations.upgrade_async("lienthong_registry", pg_url, "registry", "0003")
    existing = await _seed_before_partitioning(pg_url)
    await migrations.upgrade_async("lienthong_registry", pg_url, "registry")
    conn = await _connect(pg_url)
    engine = create_engine(pg_url)
    try:
        oldest = partition_name("access_log", PAST[0])
        await conn.execute(f"ALTER TABLE access_log DETACH PARTITION {oldest}")
        await conn.execute(f"DROP TABLE {oldest}")
        check = await verify_chain(session_factory(engine))
        assert not check.intact and check.first_broken == PER_MONTH + 1
        assert "sequence gap" in check.detail
        # A forged anchor does not join the chain before it either.
        await conn.execute(
            "INSERT INTO access_log_archives VALUES ($1, 1, $2, $3, $4, $2, 0)",
            oldest,
            PER_MONTH,
            GENESIS_HASH,
            "f" * 64,
        )
        check = await verify_chain(session_factory(engine))
        assert not check.intact and check.first_broken == PER_MONTH + 1, check.detail
        assert existing[PER_MONTH - 1].entry_hash != "f" * 64
        # Detaching a month that is not the oldest part of the chain is refused.
        with pytest.raises(PartitionRefused, match="not the oldest"):
            async with conn.transaction():
                await ACCESS_LOG.on_detach(conn, partition_name("access_log", PAST[2]))  # type: ignore[misc]
    finally:
        await engine.dispose()
        await conn.close()


@pytest.mark.parametrize(
    ("service", "before", "table", "time_column"),
    [("identity", "0003", "audit_events", "time"), ("documents", "0003", "document_access_log", "at")],
)
async def test_audit_tables_convert_with_their_rows(pg_url: str, service, before, table, time_column):
    package = f"lienthong_{service}"
    await migrations.upgrade_async(package, pg_url, service, before)
    conn = await _connect(pg_url)
    try:
        columns = await conn.fetch(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 "
            "AND column_default IS NULL",
            table,
        )
        names = [c["column_name"] for c in columns]
        for i, month in enumerate([*PAST, NOW]):
            values = [
                datetime(*month, 2, tzinfo=UTC) + timedelta(hours=i) if c == time_column else f"{c}-{i}"
                for c in names
            ]
            await conn.execute(
                f"INSERT INTO {table} ({', '.join(names)}) "
                f"VALUES ({', '.join(f'${n}' for n in range(1, len(names) + 1))})",
                *values,
            )
        await conn.close()
        await migrations.upgrade_async(package, pg_url, service)
        conn = await _connect(pg_url)
        assert await conn.fetchval("SELECT relkind::text FROM pg_class WHERE relname = $1", table) == "p"
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 4
        for month in [*PAST, NOW]:
            assert await conn.fetchval(f"SELECT count(*) FROM {partition_name(table, month)}") == 1
        # The downgrade gives the plain table back with its rows.
        await asyncio.to_thread(
            command.downgrade, migrations.alembic_config(package, pg_url, service), before
        )
        assert await conn.fetchval("SELECT relkind::text FROM pg_class WHERE relname = $1", table) == "r"
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 4
    finally:
        await conn.close()


async def test_the_operator_command_lists_creates_and_archives(pg_url: str, tmp_path: Path):
    await migrations.upgrade_async("lienthong_payment", pg_url, "payment")
    last_month = datetime(*add_months(NOW, -1), 5, tzinfo=UTC)
    conn = await _connect(pg_url)
    try:
        assert await create_ahead(conn, OUTBOX, 0, now=last_month) == [
            partition_name("outbox", add_months(NOW, -1))
        ]
        await conn.execute(
            "INSERT INTO outbox (event_id, type, envelope, created_at, published_at, attempts) "
            "VALUES ('old', 'x.y', 'e', $1, $1, 0)",
            last_month,
        )
    finally:
        await conn.close()

    def run(*argv: str) -> tuple[int, str]:
        parser = argparse.ArgumentParser()
        partitions_cli.register(parser.add_subparsers())
        args = parser.parse_args(["partitions", "payment", "--database-url", pg_url, *argv])
        out = io.StringIO()
        with redirect_stdout(out):
            code = args.func(args)
        return code, out.getvalue()

    code, out = await asyncio.to_thread(run, "create", "--ahead", "6")
    assert code == 0 and partition_name("outbox", add_months(NOW, 6)) in out
    code, out = await asyncio.to_thread(run, "list")
    assert f"{partition_name('outbox', NOW)} attached" in out
    code, out = await asyncio.to_thread(
        run, "archive", "--before", "{:04d}-{:02d}".format(*NOW), "--to", str(tmp_path)
    )
    assert code == 0, out
    name = partition_name("outbox", add_months(NOW, -1))
    assert f"detached {name}" in out and f"archived {name} (1 rows" in out
    manifest = json.loads((tmp_path / "payment" / f"{name}.json").read_text())
    assert manifest["rows"] == 1 and manifest["columns"][:2] == ["seq", "event_id"]
    code, out = await asyncio.to_thread(run, "list")
    assert name not in out


async def test_sqlite_keeps_plain_tables_and_one_chain(sqlite_url: str):
    await migrations.upgrade_async("lienthong_registry", sqlite_url, "registry")
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    writer = AccessLogWriter(sessions)
    try:
        await writer.append([_entry(1_000_000), _entry(2_000_000)])  # any time: no partitions on SQLite
        await writer.append([_entry(1_500_000)])  # an earlier clock: raised to its predecessor's time
        check = await verify_chain(sessions)
        assert check.intact and check.checked == 3, check.detail
        async with sessions() as session:
            entries = await access_log_store.page(session, limit=10)
        assert [e.time_us for e in entries] == [2_000_000, 2_000_000, 1_000_000]
    finally:
        await writer.close()
        await engine.dispose()
    args = argparse.Namespace(service="registry", database_url=sqlite_url, partitions_command="list")
    out = io.StringIO()
    with redirect_stdout(out):
        assert await asyncio.to_thread(partitions_cli._run, args) == 0
    assert "SQLite keeps plain tables" in out.getvalue()
