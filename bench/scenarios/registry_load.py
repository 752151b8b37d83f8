"""Registry: bulk-load generated citizens into a scratch PostgreSQL database (records/s), then GetCitizen by
personal ID at concurrency 32 directly against the registry, as a ratio of the echo baseline.

``LIENTHONG_BENCH_REGISTRY_COUNT`` sets how many citizens (default 1,000,000); the load stops after
``LIENTHONG_BENCH_REGISTRY_TIME_LIMIT`` seconds (default 300) and reports the rate reached. Run as a module with
``--serve`` it is the registry server the scenario measures (prints ``READY <port>``).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import json
import os
import random
import signal
import sys
import time
from pathlib import Path

from bench.harness import BenchContext, Result

METHOD = "/lienthong.registry.v1.RegistryService/GetCitizen"
AGENCY, PURPOSE = "agency-bench", "bench.lookup"
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]
HEADER = [
    "personal_id",
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "permanent_address_province",
    "permanent_address_ward",
    "permanent_address_detail",
    "household_id",
    "household_relation",
    "life_status",
]


def generate(path: Path, count: int) -> str:
    """Write ``count`` valid citizens to a CSV file; returns one of their personal IDs."""
    from lienthong_registry.domain.divisions import ward_provinces
    from lienthong_registry.domain.personal_id import BIRTH_PROVINCE_CODES

    rng = random.Random(7)
    wards = sorted(ward_provinces().items())
    provinces = sorted(BIRTH_PROVINCE_CODES)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(count):
            year, female = rng.randrange(1930, 2024), rng.random() < 0.5
            digit = 2 * (year // 100 - 19) + female
            pid = f"{provinces[i // 1_000_000]}{digit}{year % 100:02d}{i % 1_000_000:06d}"
            ward, province = wards[rng.randrange(len(wards))]
            name = f"{rng.choice(FAMILY)} {'Thị' if female else rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            out.writerow(
                [
                    pid,
                    name,
                    f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                    "female" if female else "male",
                    "VN",
                    f"{province:02d}",
                    f"{ward:05d}",
                    f"{rng.randrange(1, 300)} đường số {rng.randrange(1, 50)}",
                    f"HH{i // 4}",
                    "head" if i % 4 == 0 else "child",
                    "alive",
                ]
            )
            if i == 0:
                first = pid
    return first


def _keys() -> dict[str, str]:
    return {
        "LIENTHONG_REGISTRY_ENCRYPTION_KEYS": "bench1:" + base64.b64encode(os.urandom(32)).decode(),
        "LIENTHONG_REGISTRY_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
    }


async def run(ctx: BenchContext) -> list[Result]:
    import asyncpg

    from lienthong.registry.v1 import registry_pb2 as pb
    from lienthong_registry.bootstrap import load_settings
    from lienthong_registry.bulk_import import import_file
    from lienthong_runtime import migrations
    from lienthong_runtime.testing import TokenMint

    count = int(os.environ.get("LIENTHONG_BENCH_REGISTRY_COUNT", "1000000"))
    limit = float(os.environ.get("LIENTHONG_BENCH_REGISTRY_TIME_LIMIT", "300"))
    url = (await ctx.create_scratch_database("registry_bench")).replace(
        "postgresql://", "postgresql+asyncpg://", 1
    )
    await migrations.upgrade_async("lienthong_registry", url, "registry")
    keys = _keys()
    csv_path = ctx.tmp_dir / "citizens.csv"
    started = time.perf_counter()
    pid = await asyncio.to_thread(generate, csv_path, count)
    generated_s = time.perf_counter() - started
    report = await import_file(
        csv_path,
        load_settings(
            database_url=url,
            encryption_keys=keys["LIENTHONG_REGISTRY_ENCRYPTION_KEYS"],
            blind_index_key=keys["LIENTHONG_REGISTRY_BLIND_INDEX_KEY"],
        ),
        agency_id=AGENCY,
        legal_reason="Bench migration",
        url=url,
        time_limit_s=limit,
    )
    load = Result(
        f"registry bulk import {report.inserted:,}",
        metrics={
            "records_per_s": round(report.inserted / report.seconds),
            "records": report.inserted,
            "seconds": round(report.seconds, 1),
            "requested": count,
            "line_errors": len(report.errors),
            "generate_s": round(generated_s, 1),
            "extrapolated_1M_s": round(1_000_000 * report.seconds / max(report.inserted, 1)),
        },
        notes=["stopped at the time limit"] if report.read < count else [],
    )

    # The read figure is about reads: drop the import's CitizenCreated events so the relay does not publish
    # (and delete) a million rows in the background while the reads are measured.
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("TRUNCATE outbox")
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
    read = await ctx.measure(
        "registry GetCitizen (c=32)",
        server.target,
        METHOD,
        request,
        servers=[server],
        metadata=[("authorization", f"Bearer {token}")],
        concurrency=32,
    )
    read.notes.extend(["goal: x echo >= 0.5, p99 < 20 ms", "outbox cleared before reads"])
    await _storage(url, load, read)
    return [load, read]


async def _storage(url: str, load: Result, read: Result) -> None:
    """Bytes on disk (tables + indexes + TOAST) per citizen record (with its version row) and per access-log
    entry (the reads just measured wrote one each): the storage figures of docs/CAPACITY.md."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("ANALYZE citizens, citizen_versions, access_log")
        # A partitioned table (the access log, by month) has no storage of its own: sum its partitions.
        size = "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree($1::regclass)"
        records = await conn.fetchval("SELECT count(*) FROM citizens")
        entries = await conn.fetchval("SELECT count(*) FROM access_log")
        citizen_bytes = await conn.fetchval(size, "citizens") + await conn.fetchval(size, "citizen_versions")
        log_bytes = await conn.fetchval(size, "access_log")
    finally:
        await conn.close()
    if records:
        load.metrics["bytes_per_citizen_record"] = round(citizen_bytes / records)
    if entries:
        read.metrics["bytes_per_access_log_entry"] = round(log_bytes / entries)
        read.metrics["access_log_entries"] = entries


async def _grant(target: str, mint, pb) -> None:
    import grpc

    from lienthong.registry.v1 import registry_pb2_grpc

    async with grpc.aio.insecure_channel(target) as channel:
        policy = pb.DisclosurePolicy(
            agency_id=AGENCY,
            purpose=PURPOSE,
            legal_basis="Bench",
            fields=["full_name", "date_of_birth", "sex", "permanent_address"],
        )
        await registry_pb2_grpc.RegistryServiceStub(channel).SetDisclosurePolicy(
            pb.SetDisclosurePolicyRequest(policy=policy), metadata=mint.metadata(["registry.policies.admin"])
        )


def serve() -> None:
    """The registry on an ephemeral port, trusting the scenario's token mint (JWKS from the environment)."""
    from lienthong_registry.bootstrap import build, load_settings
    from lienthong_runtime.auth import KeySource, TokenVerifier
    from lienthong_runtime.logs import configure_logging
    from lienthong_runtime.server import Server

    async def main() -> None:
        settings = load_settings(port=0, http_port=0)
        configure_logging(settings.log_level)
        verifier = TokenVerifier(
            KeySource.from_jwks(os.environ["LIENTHONG_BENCH_JWKS"]),
            issuer=settings.token_issuer,
            audience=settings.token_audience,
        )
        server = Server(await build(settings, verifier=verifier))
        await server.start()
        print(f"READY {server.bound_port}", flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await server.stop(1.0)

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


if __name__ == "__main__" and "--serve" in sys.argv:
    serve()
