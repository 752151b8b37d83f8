"""Dossiers on PostgreSQL: dossiers filed per second, and the on-time report over one million dossier parts.

* **file**: FileDossier by citizens (citizen tokens of 200 different personal IDs) for a fee-free procedure of one
  part: the form checked, the personal ID and the form sealed, the blind index, the dossier, its part, its first
  history row and the sealed DossierStatusChanged in the outbox, one transaction. Concurrency 16; the figure is
  dossiers per second (ratio to echo in the table).
* **report**: 1,000,000 part rows generated in SQL (``generate_series``: 30 agencies and 20 procedures, paired as
  g mod 30 and g mod 20, so 60 agency-procedure pairs; receipts over 2026, 70% completed, some late, some still
  open) in the service's own table, then GetOnTimeReport for the whole year as the operator (every agency: 60
  pairs x 12 months, plus the filing step's own row) and for one agency; seconds, median of 3.

This module is also the entry point of its helper process:

    python -m bench.scenarios.dossiers_filing serve         # prints READY <port>
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import sys
import time
import uuid

import grpc

from bench.harness import BenchContext, Result, cpu_seconds

CONCURRENCY = 16
CITIZENS = 200
REPORT_ROWS = 1_000_000
ROUNDS = 3
AGENCY = "agency-bench-civil"
AGENCY_SCOPES = (
    "dossiers.procedures.write",
    "dossiers.procedures.read",
    "dossiers.reports.read",
    "dossiers.dossiers.process",
)

GENERATE = """
INSERT INTO dossier_parts (id, dossier_id, seq, agency_id, procedure_code, title, working_days, state,
  received_at, received_on, period, due_date, remaining_days, paused_on, paused_days, completed_at, completed_on,
  working_days_used, officer_id, reason, result_document_id, apologised)
SELECT 'bench-' || g, 'bench-d-' || g, 0, 'agency-bench-' || (g % 30), 'BENCH-' || (g % 20), 'Bench', 5,
  CASE WHEN g % 10 < 7 THEN 'RESULT_RETURNED' ELSE 'PROCESSING' END,
  timestamptz '2026-01-01 02:00+00' + (g % 365) * interval '1 day',
  date '2026-01-01' + (g % 365), to_char(date '2026-01-01' + (g % 365), 'YYYY-MM'),
  date '2026-01-01' + (g % 365) + 7, NULL, NULL, 0,
  CASE WHEN g % 10 < 7 THEN timestamptz '2026-01-01 02:00+00' + ((g % 365) + g % 11) * interval '1 day' END,
  CASE WHEN g % 10 < 7 THEN date '2026-01-01' + (g % 365) + (g % 11) END,
  CASE WHEN g % 10 < 7 THEN (g % 11) * 5 / 7 END,
  '', '', '', false
FROM generate_series(1, :rows) AS g
"""


async def run(ctx: BenchContext) -> list[Result]:
    from sqlalchemy import text

    from lienthong.common.v1 import date_pb2
    from lienthong.dossiers.v1 import dossiers_pb2 as pb
    from lienthong.dossiers.v1 import dossiers_pb2_grpc
    from lienthong_runtime import migrations
    from lienthong_runtime.db import create_engine
    from lienthong_runtime.testing import TokenMint

    url = (await ctx.create_scratch_database("dossiers")).replace("postgresql://", "postgresql+asyncpg://", 1)
    await migrations.upgrade_async("lienthong_dossiers", url, "dossiers")
    mint = TokenMint()
    env = {
        "LIENTHONG_DOSSIERS_DATABASE_URL": url,
        "LIENTHONG_DOSSIERS_ENCRYPTION_KEYS": "bench1:" + base64.b64encode(os.urandom(32)).decode(),
        "LIENTHONG_DOSSIERS_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "BENCH_JWKS": json.dumps(mint.jwks()),
        "BENCH_ISSUER": mint.issuer,
        "BENCH_AUDIENCE": mint.audience,
    }
    service = await ctx.start_server(
        ["-m", "bench.scenarios.dossiers_filing", "serve"], name="dossiers", env=env
    )
    agency_md = mint.metadata(AGENCY_SCOPES, agency=AGENCY, ttl=3600)
    async with grpc.aio.insecure_channel(service.target, options=[("grpc.so_reuseport", 0)]) as channel:
        stub = dossiers_pb2_grpc.DossiersServiceStub(channel)
        await stub.CreateProcedure(
            pb.CreateProcedureRequest(
                code="BENCH-KHAISINH",
                spec=pb.ProcedureSpec(
                    name="Đăng ký khai sinh (bench)",
                    level=pb.AGENCY_LEVEL_PROVINCE,
                    province_code="01",
                    components=[
                        pb.Component(
                            name="child_name", label="Họ tên", kind=pb.COMPONENT_KIND_TEXT, required=True
                        ),
                        pb.Component(
                            name="birth_date", label="Ngày sinh", kind=pb.COMPONENT_KIND_DATE, required=True
                        ),
                    ],
                    parts=[pb.ProcedurePart(agency_id=AGENCY, title="Khai sinh", processing_working_days=3)],
                ),
            ),
            metadata=agency_md,
        )
        citizens = [
            mint.metadata(("citizen.self",), kind="citizen", pid=f"001090{i:06d}", ttl=3600)
            for i in range(CITIZENS)
        ]
        filing = await _file_rate(ctx, stub, pb, citizens, service.pid)

        engine = create_engine(url)
        started = time.perf_counter()
        async with engine.begin() as conn:
            await conn.execute(text(GENERATE), {"rows": REPORT_ROWS})
        async with engine.connect() as conn:  # what autovacuum does in production: statistics, visibility map
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text("VACUUM ANALYZE dossier_parts")
            )
        generated_s = time.perf_counter() - started
        await engine.dispose()
        operator = mint.metadata((*AGENCY_SCOPES, "platform.admin"), agency="platform", ttl=3600)
        one_agency = mint.metadata(AGENCY_SCOPES, agency="agency-bench-7", ttl=3600)
        year = {
            "start_date": date_pb2.Date(year=2026, month=1, day=1),
            "end_date": date_pb2.Date(year=2026, month=12, day=31),
        }
        timings: dict[str, list[float]] = {"all": [], "one": []}
        rows = {"all": 0, "one": 0}
        for _ in range(ROUNDS):
            for key, md in (("all", operator), ("one", one_agency)):
                t0 = time.perf_counter()
                reply = await stub.GetOnTimeReport(
                    pb.GetOnTimeReportRequest(**year), metadata=md, timeout=600
                )
                timings[key].append(time.perf_counter() - t0)
                rows[key] = len(reply.rows)
    report = Result(
        "dossiers: on-time report, 1M parts (PG)",
        backend="GetOnTimeReport, one SQL aggregate",
        metrics={
            "all_agencies_s": round(statistics.median(timings["all"]), 2),
            "all_agencies_rows": rows["all"],
            "one_agency_s": round(statistics.median(timings["one"]), 3),
            "one_agency_rows": rows["one"],
            "generate_1M_rows_s": round(generated_s, 1),
        },
    )
    report.notes.append(f"median of {ROUNDS}; rps column not applicable")
    return [filing, report]


async def _file_rate(ctx: BenchContext, stub, pb, citizens, pid: int) -> Result:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors: list[str] = []
    form = {"child_name": "Nguyễn Văn An", "birth_date": "2026-11-30"}

    async def one(n: int, record: bool) -> None:
        t0 = time.perf_counter()
        try:
            await stub.FileDossier(
                pb.FileDossierRequest(
                    procedure_code="BENCH-KHAISINH", form=form, idempotency_key=uuid.uuid4().hex
                ),
                metadata=citizens[n % len(citizens)],
                timeout=10,
            )
        except grpc.aio.AioRpcError as exc:
            errors.append(f"{exc.code().name}: {exc.details()}")
            return
        if record:
            latencies.append((time.perf_counter() - t0) * 1000)

    async def lane(lane_no: int, until: float, record: bool) -> None:
        n = lane_no
        while time.perf_counter() < until:
            await one(n, record)
            n += CONCURRENCY

    await asyncio.gather(*(lane(i, time.perf_counter() + ctx.warmup_s, False) for i in range(CONCURRENCY)))
    cpu_before, t_start = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(lane(i, t_start + ctx.duration_s, True) for i in range(CONCURRENCY)))
    elapsed, cpu_used = time.perf_counter() - t_start, cpu_seconds(pid) - cpu_before
    latencies.sort()
    result = Result(
        "dossiers: FileDossier (PG)",
        rps=len(latencies) / elapsed,
        p50_ms=latencies[len(latencies) // 2] if latencies else None,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        calls=len(latencies),
        errors=len(errors),
        cpu_us_per_call=cpu_used * 1e6 / max(len(latencies), 1),
        backend=f"grpc.aio in-process x{CONCURRENCY}",
    )
    result.notes.append("rps = dossiers filed per second")
    if errors:
        result.notes.append(f"sample error: {errors[0]}")
    return result


async def _serve() -> None:
    import signal

    from lienthong_dossiers.bootstrap import build, load_settings
    from lienthong_runtime.auth import KeySource, TokenVerifier
    from lienthong_runtime.logs import configure_logging
    from lienthong_runtime.server import Server

    configure_logging("WARNING")
    verifier = TokenVerifier(
        KeySource.from_jwks(os.environ["BENCH_JWKS"]),
        issuer=os.environ["BENCH_ISSUER"],
        audience=os.environ["BENCH_AUDIENCE"],
    )
    settings = load_settings(host="127.0.0.1", port=0, http_port=0, bus_url="memory://", log_level="WARNING")
    server = Server(await build(settings, verifier=verifier))
    await server.start()
    print(f"READY {server.bound_port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(1.0)


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        asyncio.run(_serve())
    else:
        sys.exit("usage: python -m bench.scenarios.dossiers_filing serve")
