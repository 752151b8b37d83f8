"""Notify: accepted-to-delivered e-mail throughput to a local SMTP server on PostgreSQL, and send-RPC req/s.

Three processes: the notify server (`--serve`, uvloop, worker off), a local aiosmtpd mail sink
(`lienthong_notify.adapters.mail_sink`) and, for the delivery phase, the standalone delivery worker
(`python -m lienthong_notify.worker`). Phase 1 sends SendEmail calls with fresh idempotency keys for the run's
duration (so every call creates a notification; the repeated-bytes load generator would only measure
idempotent replays, shown as a separate row). Phase 2 tops the queue up with SendBatch to MESSAGES, starts the
worker and times until the queue is empty; the sink's files are counted to check that every message arrived
exactly once (files are named by Message-ID).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
import uuid

from bench.harness import BenchContext, Result, cpu_seconds

MESSAGES = 10_000
CONCURRENCY = 32
SEND_EMAIL = "/lienthong.notify.v1.NotifyService/SendEmail"
VALUES = {"name": "Nguyễn Văn An", "code": "HS-2026-0001"}


async def run(ctx: BenchContext) -> list[Result]:
    import grpc

    from lienthong.notify.v1 import notify_pb2 as pb
    from lienthong.notify.v1 import notify_pb2_grpc
    from lienthong_runtime import migrations
    from lienthong_runtime.testing import TokenMint

    url = (await ctx.create_scratch_database("notify")).replace("postgresql://", "postgresql+asyncpg://", 1)
    await migrations.upgrade_async("lienthong_notify", url, "notify")
    mail_dir = ctx.tmp_dir / "mail"
    sink = await ctx.start_server(
        ["-m", "lienthong_notify.adapters.mail_sink", "--dir", str(mail_dir)], name="mail-sink"
    )
    env = {
        "LIENTHONG_NOTIFY_DATABASE_URL": url,
        "LIENTHONG_NOTIFY_SMTP_PORT": str(sink.port),
        "LIENTHONG_NOTIFY_RATE_LIMIT_PER_S": "1000000",
        "LIENTHONG_NOTIFY_RATE_LIMIT_BURST": "1000000",
        "LIENTHONG_NOTIFY_DAILY_CAP_EMAIL": "10000000",
        "LIENTHONG_NOTIFY_LOG_LEVEL": "WARNING",
        "LIENTHONG_NOTIFY_ENCRYPTION_KEYS": "bench1:" + base64.b64encode(os.urandom(32)).decode(),
        "LIENTHONG_NOTIFY_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    mint = TokenMint()
    server = await ctx.start_server(
        ["-m", "bench.scenarios.notify_smtp", "--serve"],
        name="notify",
        env={
            **env,
            "LIENTHONG_NOTIFY_WORKER_ENABLED": "false",
            "BENCH_NOTIFY_JWKS": json.dumps(mint.jwks()),
            "BENCH_NOTIFY_ISSUER": mint.issuer,
            "BENCH_NOTIFY_AUDIENCE": mint.audience,
        },
    )
    metadata = mint.metadata(
        ["notify.templates.write", "notify.messages.send"], agency="agency-bench", ttl=3600
    )
    results: list[Result] = []
    async with grpc.aio.insecure_channel(server.target, options=[("grpc.so_reuseport", 0)]) as channel:
        stub = notify_pb2_grpc.NotifyServiceStub(channel)
        template = (
            await stub.CreateTemplate(
                pb.CreateTemplateRequest(
                    channel=pb.CHANNEL_EMAIL,
                    name="bench",
                    subject="Hồ sơ ((code))",
                    body="Kính gửi ((name)),\nHồ sơ ((code)) của Quý khách đã được tiếp nhận.",
                ),
                metadata=metadata,
            )
        ).template
        results.append(await _send_rpc(ctx, stub, template.id, metadata, server.pid))
        replay = pb.SendEmailRequest(
            template_id=template.id,
            email_address="replay@example.vn",
            personalisation=VALUES,
            idempotency_key="replay",
        ).SerializeToString()
        row = await ctx.measure(
            "notify SendEmail (idempotent replay)",
            server.target,
            SEND_EMAIL,
            replay,
            servers=[server],
            metadata=metadata,
        )
        row.notes.append("same request bytes every call: the idempotent-replay path, not new notifications")
        results.append(row)
        accepted = await _count(url, "SELECT count(*) FROM deliveries")
        t0 = time.perf_counter()
        await _top_up(stub, pb, template.id, metadata, MESSAGES - accepted)
        batch_rate = (MESSAGES - accepted) / (time.perf_counter() - t0)
    await server.stop()
    results.append(await _deliver(ctx, env, url, mail_dir, sink, batch_rate))
    await sink.stop()
    return results


async def _send_rpc(ctx: BenchContext, stub, template_id: str, metadata, pid: int) -> Result:
    from lienthong.notify.v1 import notify_pb2 as pb

    latencies: list[float] = []
    errors: list[str] = []

    async def lane(until: float, record: bool) -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            try:
                await stub.SendEmail(
                    pb.SendEmailRequest(
                        template_id=template_id,
                        email_address=f"u{uuid.uuid4().hex[:12]}@example.vn",
                        personalisation=VALUES,
                        reference="bench",
                        idempotency_key=uuid.uuid4().hex,
                    ),
                    metadata=metadata,
                    timeout=10,
                )
            except Exception as exc:
                errors.append(type(exc).__name__ + ": " + str(exc)[:200])
                continue
            if record:
                latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(lane(time.perf_counter() + 1.0, False) for _ in range(CONCURRENCY)))
    cpu_before, t0 = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(lane(t0 + ctx.duration_s, True) for _ in range(CONCURRENCY)))
    elapsed, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu_before
    latencies.sort()
    result = Result(
        "notify SendEmail (new notifications, PG)",
        rps=len(latencies) / elapsed,
        p50_ms=latencies[len(latencies) // 2] if latencies else None,
        p99_ms=latencies[int(len(latencies) * 0.99)] if latencies else None,
        calls=len(latencies),
        errors=len(errors),
        cpu_us_per_call=cpu * 1e6 / max(len(latencies), 1),
        backend=f"grpc.aio in-process x{CONCURRENCY}",
    )
    result.notes.append(
        "fresh idempotency key per call; the Python client shares the 2 cores with the server"
    )
    if errors:
        result.notes.append(f"sample error: {errors[0]}")
    return result


async def _top_up(stub, pb, template_id: str, metadata, count: int) -> None:
    batches = []
    while count > 0:
        size = min(1000, count)
        batches.append(
            pb.SendBatchRequest(
                template_id=template_id,
                idempotency_key=uuid.uuid4().hex,
                recipients=[
                    pb.BatchRecipient(
                        recipient=f"bulk{uuid.uuid4().hex[:10]}@example.vn", personalisation=VALUES
                    )
                    for _ in range(size)
                ],
            )
        )
        count -= size
    for i in range(0, len(batches), 2):
        await asyncio.gather(*(stub.SendBatch(b, metadata=metadata, timeout=60) for b in batches[i : i + 2]))


async def _deliver(
    ctx: BenchContext, env: dict[str, str], url: str, mail_dir, sink, batch_rate: float
) -> Result:
    queued = await _count(url, "SELECT count(*) FROM deliveries")
    sink_cpu = cpu_seconds(sink.pid)
    worker = await ctx.start_server(
        ["-m", "lienthong_notify.worker"],
        name="notify-worker",
        ready=r"READY",
        env={
            **env,
            "LIENTHONG_NOTIFY_SMTP_CONNECTIONS": "16",
            "LIENTHONG_NOTIFY_WORKER_BATCH_SIZE": "500",
            "LIENTHONG_NOTIFY_WORKER_LOOPS": "3",
        },
    )
    t0 = time.perf_counter()
    left = queued
    for _ in range(6000):  # bounded: at most 10 minutes
        left = await _count(url, "SELECT count(*) FROM deliveries")
        if left == 0:
            break
        await asyncio.sleep(0.1)
    elapsed = time.perf_counter() - t0
    worker_cpu, sink_cpu = cpu_seconds(worker.pid), cpu_seconds(sink.pid) - sink_cpu
    await worker.stop()
    delivered = await _count(url, "SELECT count(*) FROM notifications WHERE status = 'DELIVERED'")
    files = len(list(mail_dir.glob("*.eml")))
    result = Result(
        "notify accepted->delivered (SMTP, PG)",
        calls=queued,
        errors=queued - delivered,
        cpu_us_per_call=worker_cpu * 1e6 / max(queued, 1),
        backend="worker x3 loops, 16 SMTP conns",
        metrics={
            "messages_per_s": (queued - left) / elapsed,
            "messages": queued,
            "delivered_total": delivered,
            "sink_files": files,
            "sink_cpu_us_per_msg": sink_cpu * 1e6 / max(queued, 1),
            "sendbatch_accept_msgs_per_s": batch_rate,
        },
    )
    result.notes.append(
        "messages/s from worker start to an empty queue; CPU us/call = worker CPU per message"
    )
    from bench.storage import bytes_per_row

    result.metrics["bytes_per_notification"] = await bytes_per_row(url, "notifications") or 0.0
    return result


async def _count(url: str, sql: str) -> int:
    from sqlalchemy import text

    from lienthong_runtime.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def _serve() -> None:
    """The notify server of this scenario: identity replaced by the scenario's token mint."""
    import signal

    from lienthong_notify.bootstrap import build, load_settings
    from lienthong_runtime.auth import KeySource, TokenVerifier
    from lienthong_runtime.server import Server

    verifier = TokenVerifier(
        KeySource.from_jwks(os.environ["BENCH_NOTIFY_JWKS"]),
        issuer=os.environ["BENCH_NOTIFY_ISSUER"],
        audience=os.environ["BENCH_NOTIFY_AUDIENCE"],
    )
    settings = load_settings(host="127.0.0.1", port=0, http_port=0, bus_url="memory://")
    server = Server(await build(settings, verifier=verifier))
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
