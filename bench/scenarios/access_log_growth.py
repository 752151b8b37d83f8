"""Registry at a growing access log (issue #18, point 2): GetCitizen (which appends one entry per call) and the
access-log append itself with 1 million entries in the log, then with 10 million, on the monthly-partitioned
table (PostgreSQL).

Entries are generated in SQL (``INSERT ... SELECT generate_series``, a year of accesses spread over twelve
monthly partitions, 1 million distinct subjects, 500 agencies): they are not a valid hash chain, only rows of
the right shape and spread; the chain's head is set to the last of them so new entries append after it.
Reported per size: GetCitizen at concurrency 32 through a registry server (rps, p99, CPU per call), one entry
appended at a time by the group-commit writer (µs per append, the lock-free one-statement path), and 64
concurrent callers (entries/s, batched). The 10M rows are the 10M/1M ratios.

``LIENTHONG_BENCH_ACCESS_LOG_SIZES`` (default ``1000000,10000000``) sets the sizes; loading stops at
``LIENTHONG_BENCH_ACCESS_LOG_TIME_LIMIT`` seconds (default 900) of loading in all, and the size reached is
reported (with the load time) instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.harness import BenchContext, Result
from bench.scenarios.registry_load import AGENCY, METHOD, PURPOSE, _grant, _keys, generate

CITIZENS = 2_000
SUBJECTS = 1_000_000
CHUNK = 500_000
SEQUENTIAL_APPENDS = 2_000
CONCURRENT_CALLERS = 64
CONCURRENT_ROUNDS = 40

_FILL = """
INSERT INTO access_log (sequence, id, time_us, agency_id, agency_name, client_id, action, purpose,
                        legal_basis, fields, subject, sealed_personal_id, previous_hash, entry_hash)
SELECT s, md5(s::text), $3::bigint + n * $4::bigint, 'agency-' || (n % 500), 'Agency', 'client-1', 1,
       'bench.lookup', 'Law 1', 'full_name date_of_birth', encode(sha256(int8send(n % $5)), 'hex'),
       'bench1:' || md5('s' || s::text), encode(sha256(int8send(s - 1)), 'hex'), encode(sha256(int8send(s)), 'hex')
FROM generate_series($1::bigint, $2::bigint) AS n, LATERAL (SELECT $6::bigint + n AS s) AS seq
"""


async def run(ctx: BenchContext) -> list[Result]:
    import asyncpg

    from lienthong.registry.v1 import registry_pb2 as pb
    from lienthong_registry.adapters.partitions import PARTITIONED
    from lienthong_registry.bootstrap import load_settings
    from lienthong_registry.handlers.bulk_import import import_file
    from lienthong_runtime import migrations
    from lienthong_runtime.partitions import create_ahead
    from lienthong_runtime.testing import TokenMint

    sizes = [
        int(s) for s in os.environ.get("LIENTHONG_BENCH_ACCESS_LOG_SIZES", "1000000,10000000").split(",")
    ]
    limit = float(os.environ.get("LIENTHONG_BENCH_ACCESS_LOG_TIME_LIMIT", "900"))
    raw_url = await ctx.create_scratch_database("access_log_growth")
    url = raw_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    await migrations.upgrade_async("lienthong_registry", url, "registry")
    keys = _keys()
    csv_path = ctx.tmp_dir / "citizens.csv"
    pid = await asyncio.to_thread(generate, csv_path, CITIZENS)
    settings = load_settings(
        database_url=url,
        encryption_keys=keys["LIENTHONG_REGISTRY_ENCRYPTION_KEYS"],
        blind_index_key=keys["LIENTHONG_REGISTRY_BLIND_INDEX_KEY"],
    )
    await import_file(csv_path, settings, agency_id=AGENCY, legal_reason="Bench", url=url, workers=0)

    # A year of generated accesses ending now, in twelve monthly partitions (created back from a year ago).
    year_us = 365 * 86400 * 1_000_000
    start_us = int((datetime.now(UTC) - timedelta(days=365)).timestamp() * 1_000_000)
    step_us = max(year_us // max(sizes), 1)
    conn = await asyncpg.connect(raw_url)
    try:
        await conn.execute("TRUNCATE outbox")
        await create_ahead(conn, PARTITIONED[0], 13, now=datetime.now(UTC) - timedelta(days=366))
    finally:
        await conn.close()

    mint = TokenMint()
    env = {
        **keys,
        "LIENTHONG_REGISTRY_DATABASE_URL": url,
        "LIENTHONG_BENCH_JWKS": json.dumps(mint.jwks()),
        "LIENTHONG_REGISTRY_TOKEN_ISSUER": mint.issuer,
        "LIENTHONG_REGISTRY_TOKEN_AUDIENCE": mint.audience,
        "LIENTHONG_REGISTRY_LOG_LEVEL": "WARNING",
    }
    server = await ctx.start_server(
        ["-m", "bench.scenarios.registry_load", "--serve"], name="registry", env=env
    )
    await _grant(server.target, mint, pb)
    token = mint.token(["registry.citizens.read"], agency=AGENCY, ttl=3600)
    request = pb.GetCitizenRequest(personal_id=pid, purpose=PURPOSE).SerializeToString()

    results: list[Result] = []
    generated, load_s = 0, 0.0
    for size in sizes:
        conn = await asyncpg.connect(raw_url)
        try:
            started = time.perf_counter()
            while generated < size and load_s + time.perf_counter() - started < limit:
                last = min(generated + CHUNK, size) - 1
                # Generated entries take the sequences after whatever the log holds (the measured appends).
                base = await conn.fetchval("SELECT sequence FROM access_log_head") - generated + 1
                await conn.execute(_FILL, generated, last, start_us, step_us, SUBJECTS, base)
                generated = last + 1
                await _move_head(conn)
            await conn.execute("VACUUM ANALYZE access_log")
            load_s += time.perf_counter() - started
            entries = await conn.fetchval("SELECT count(*) FROM access_log")
            log_bytes = await conn.fetchval(
                "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                "WHERE inhparent = 'access_log'::regclass"
            )
        finally:
            await conn.close()
        label = f"{entries / 1e6:.2f}M entries"
        read = await ctx.measure(
            f"registry GetCitizen at {label} (c=32)",
            server.target,
            METHOD,
            request,
            servers=[server],
            metadata=[("authorization", f"Bearer {token}")],
            concurrency=32,
        )
        read.metrics.update(
            {
                "access_log_entries": entries,
                "generated_load_s": round(load_s, 1),
                "bytes_per_access_log_entry": round(log_bytes / entries),
            }
        )
        results += [read, *(await _appends(url, label))]
    return results


async def _move_head(conn) -> None:  # type: ignore[no-untyped-def]
    await conn.execute(
        "UPDATE access_log_head SET (sequence, entry_hash, time_us) = "
        "(SELECT sequence, entry_hash, greatest(time_us, (extract(epoch FROM now()) * 1e6)::bigint - 1) "
        "FROM access_log ORDER BY sequence DESC LIMIT 1)"
    )


async def _appends(url: str, label: str) -> list[Result]:
    from lienthong_registry.adapters.access_log_writer import AccessLogWriter
    from lienthong_registry.domain.access_log import AccessAction, AccessLogEntry
    from lienthong_runtime.db import create_engine, session_factory

    def entry(i: int) -> AccessLogEntry:
        return AccessLogEntry(
            id=str(uuid.uuid4()),
            time_us=time.time_ns() // 1000,
            agency_id="agency-bench",
            agency_name="Bench",
            client_id="client-1",
            action=AccessAction.READ,
            purpose=PURPOSE,
            legal_basis="Bench",
            fields=("full_name",),
            subject=f"{i % SUBJECTS:064x}",
            sealed_personal_id="bench1:x",
        )

    engine = create_engine(url)
    writer = AccessLogWriter(session_factory(engine), pg_url=url)
    try:
        await writer.append([entry(0)])  # the writer's connection and its own tail
        latencies = []
        for i in range(SEQUENTIAL_APPENDS):
            t0 = time.perf_counter()
            await writer.append([entry(i)])
            latencies.append(time.perf_counter() - t0)
        latencies.sort()
        one = Result(
            f"access-log append, one at a time, at {label}",
            rps=len(latencies) / sum(latencies),
            p50_ms=latencies[len(latencies) // 2] * 1000,
            p99_ms=latencies[int(len(latencies) * 0.99)] * 1000,
            calls=len(latencies),
            backend="group-commit writer, lock-free path",
            metrics={"us_per_append": round(sum(latencies) / len(latencies) * 1e6)},
        )
        t0 = time.perf_counter()
        for r in range(CONCURRENT_ROUNDS):
            await asyncio.gather(*(writer.append([entry(r * 1000 + c)]) for c in range(CONCURRENT_CALLERS)))
        elapsed = time.perf_counter() - t0
        many = Result(
            f"access-log append, {CONCURRENT_CALLERS} callers, at {label}",
            rps=CONCURRENT_ROUNDS * CONCURRENT_CALLERS / elapsed,
            calls=CONCURRENT_ROUNDS * CONCURRENT_CALLERS,
            backend="group-commit writer, batched",
        )
    finally:
        await writer.close()
        await engine.dispose()
    return [one, many]
