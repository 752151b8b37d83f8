"""Payment: create-and-complete through the sandbox provider on PostgreSQL, at concurrency 32.

Each payment is CreatePayment (a fresh idempotency key) then StartPayment; the sandbox then completes it by
sending itself a signed notification through the service's notification intake (SUBMITTED -> SUCCESS, ledger
posting, outbox event). The figure is *completed* payments per second: payments that reached SUCCESS inside
the measured window, read back from the database, so a notification backlog cannot flatter it. p50/p99 are the
client's create+start latency. The server runs as its own process (`--serve`, uvloop) on a scratch database.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime

from bench.harness import BenchContext, Result, cpu_seconds

CONCURRENCY = 32
SERVICE = "/lienthong.payment.v1.PaymentService/"


async def run(ctx: BenchContext) -> list[Result]:
    import grpc

    from lienthong.payment.v1 import payment_pb2 as pb
    from lienthong.payment.v1 import payment_pb2_grpc
    from lienthong_runtime import migrations
    from lienthong_runtime.testing import TokenMint

    url = (await ctx.create_scratch_database("payment")).replace("postgresql://", "postgresql+asyncpg://", 1)
    await migrations.upgrade_async("lienthong_payment", url, "payment")
    mint = TokenMint()
    server = await ctx.start_server(
        ["-m", "bench.scenarios.payment_create", "--serve"],
        name="payment",
        env={
            "LIENTHONG_PAYMENT_DATABASE_URL": url,
            "LIENTHONG_PAYMENT_ENCRYPTION_KEYS": "bench1:" + base64.b64encode(os.urandom(32)).decode(),
            "BENCH_PAYMENT_JWKS": json.dumps(mint.jwks()),
            "BENCH_PAYMENT_ISSUER": mint.issuer,
            "BENCH_PAYMENT_AUDIENCE": mint.audience,
        },
    )
    metadata = mint.metadata(
        ["payment.payments.write", "payment.payments.read"], agency="agency-bench", ttl=3600
    )
    latencies: list[float] = []
    errors: list[str] = []

    async with grpc.aio.insecure_channel(server.target, options=[("grpc.so_reuseport", 0)]) as channel:
        stub = payment_pb2_grpc.PaymentServiceStub(channel)

        async def one(record: bool) -> None:
            t0 = time.perf_counter()
            try:
                created = await stub.CreatePayment(
                    pb.CreatePaymentRequest(
                        amount_vnd=150_000,
                        description="Lệ phí bench",
                        reference="BENCH",
                        return_url="https://bench.example.vn/r",
                        idempotency_key=uuid.uuid4().hex,
                        payer_email="bench@example.vn",
                    ),
                    metadata=metadata,
                    timeout=10,
                )
                await stub.StartPayment(
                    pb.StartPaymentRequest(payment_id=created.payment.id), metadata=metadata, timeout=10
                )
            except grpc.aio.AioRpcError as exc:
                errors.append(f"{exc.code().name}: {exc.details()}")
                return
            if record:
                latencies.append((time.perf_counter() - t0) * 1000)

        async def lane(until: float, record: bool) -> None:
            while time.perf_counter() < until:
                await one(record)

        await asyncio.gather(*(lane(time.perf_counter() + 1.0, False) for _ in range(CONCURRENCY)))  # warm-up
        await asyncio.sleep(0.5)
        window_start, cpu_before = datetime.now(UTC), cpu_seconds(server.pid)
        t_start = time.perf_counter()
        await asyncio.gather(*(lane(t_start + ctx.duration_s, True) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - t_start
        window_end, cpu_used = datetime.now(UTC), cpu_seconds(server.pid) - cpu_before
    completed, started = await _count(url, window_start, window_end)
    await server.stop()
    latencies.sort()
    result = Result(
        "payment create+complete (sandbox, PG)",
        rps=completed / elapsed,
        p50_ms=latencies[len(latencies) // 2] if latencies else None,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        calls=len(latencies),
        errors=len(errors),
        cpu_us_per_call=cpu_used * 1e6 / max(completed, 1),
        backend=f"grpc.aio in-process x{CONCURRENCY}",
        metrics={
            "payments_completed_in_window": completed,
            "payments_created_in_window": started,
            "rpcs_per_payment": 2,
        },
    )
    result.notes.append("rps = payments reaching SUCCESS per second; latency = CreatePayment+StartPayment")
    from bench.storage import bytes_per_row

    result.metrics["bytes_per_payment"] = await bytes_per_row(url, "payments") or 0.0
    if errors:
        result.notes.append(f"sample error: {errors[0]}")
    return [result]


async def _count(url: str, start: datetime, end: datetime) -> tuple[int, int]:
    from sqlalchemy import text

    from lienthong_runtime.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT count(*) FILTER (WHERE state = 4 AND finish_time >= :s AND finish_time < :e), "
                        "count(*) FILTER (WHERE create_time >= :s AND create_time < :e) FROM payments"
                    ),
                    {"s": start, "e": end},
                )
            ).one()
    finally:
        await engine.dispose()
    return int(row[0]), int(row[1])


async def _serve() -> None:
    """The payment server for this scenario: identity replaced by the scenario's token mint."""
    import signal

    from lienthong_payment.bootstrap import assemble, load_settings
    from lienthong_runtime.auth import KeySource, TokenVerifier
    from lienthong_runtime.server import Server

    verifier = TokenVerifier(
        KeySource.from_jwks(os.environ["BENCH_PAYMENT_JWKS"]),
        issuer=os.environ["BENCH_PAYMENT_ISSUER"],
        audience=os.environ["BENCH_PAYMENT_AUDIENCE"],
    )
    settings = load_settings(
        host="127.0.0.1",
        port=0,
        http_port=0,
        bus_url="memory://",
        sandbox_enabled=True,
        sandbox_notify_delay_seconds=0.0,
        log_level="WARNING",
    )
    server = Server((await assemble(settings, verifier=verifier)).app)
    await server.start()
    print(f"READY {server.bound_port}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await server.stop(1.0)


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    import logging

    import uvloop

    logging.basicConfig(level=logging.WARNING)
    uvloop.run(_serve())
