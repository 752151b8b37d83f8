"""Documents on PostgreSQL: documents sent per second with one small attachment, and attachment throughput
through the gateway against a direct upload.

* **send**: each document is UploadAttachment (one 4 KiB attachment, sealed at rest) then SendDocument to one
  recipient (directory lookups, idempotency key, recipient, status history, inbox feed event and DocumentSent in
  the outbox, one transaction). The figure is documents per second (rows in the window), concurrency 16.
* **attachments**: a 64 MiB upload in 1 MiB chunks (hashed, sealed chunk by chunk into PostgreSQL), directly to
  the service and through the gateway (real token, every check on), alternating, three rounds each; MB/s is
  the median. The gateway's CPU per MiB is reported beside it.

This module is also the entry point of its helper processes:

    python -m bench.scenarios.documents_exchange serve                       # prints READY <port>
    python -m bench.scenarios.documents_exchange gateway --upstream 127.0.0.1:P
"""

from __future__ import annotations

import argparse
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
MIB = 1024 * 1024
UPLOAD_MIB = 64
ROUNDS = 3
SCOPES = ("documents.send", "documents.read", "documents.process")
SENDER, RECEIVER = "agency-bench-sender", "agency-bench-receiver"


async def run(ctx: BenchContext) -> list[Result]:
    from lienthong.documents.v1 import documents_pb2 as pb
    from lienthong.documents.v1 import documents_pb2_grpc
    from lienthong_runtime import migrations
    from lienthong_runtime.testing import TokenMint

    url = (await ctx.create_scratch_database("documents")).replace(
        "postgresql://", "postgresql+asyncpg://", 1
    )
    await migrations.upgrade_async("lienthong_documents", url, "documents")
    mint = TokenMint()
    env = {
        "LIENTHONG_DOCUMENTS_DATABASE_URL": url,
        "LIENTHONG_DOCUMENTS_ATTACHMENT_KEYS": "bench1:" + base64.b64encode(os.urandom(32)).decode(),
        "BENCH_JWKS": json.dumps(mint.jwks()),
        "BENCH_ISSUER": mint.issuer,
        "BENCH_AUDIENCE": mint.audience,
        "BENCH_AGENCIES": f"{SENDER},{RECEIVER}",
    }
    service = await ctx.start_server(
        ["-m", "bench.scenarios.documents_exchange", "serve"], name="documents", env=env
    )
    gateway = await ctx.start_server(
        ["-m", "bench.scenarios.documents_exchange", "gateway", "--upstream", service.target],
        name="gateway",
        env=env,
    )
    sender, receiver = SENDER, RECEIVER
    options = [("grpc.so_reuseport", 0)]
    async with (
        grpc.aio.insecure_channel(service.target, options=options) as direct,
        grpc.aio.insecure_channel(gateway.target, options=options) as via_gateway,
    ):
        stub = documents_pb2_grpc.DocumentsServiceStub(direct)
        admin = mint.metadata(("documents.directory.admin",), agency="platform", ttl=3600)
        codes = {}
        for agency in (sender, receiver):
            codes[agency] = f"000.00.{len(codes):02d}.H{uuid.uuid4().int % 90 + 10:02d}"
            await stub.RegisterAgency(
                pb.RegisterAgencyRequest(agency_id=agency, code=codes[agency], display_name=agency),
                metadata=admin,
            )
        md = mint.metadata(SCOPES, agency=sender, ttl=3600)
        send = await _send_rate(ctx, stub, pb, md, codes[receiver], service.pid)
        # Storage and rows per document sent (its 4 KiB attachment, recipient, history, feed and outbox rows
        # included), before the large uploads below add attachments of their own: the capacity model's figures.
        from bench.storage import bytes_per_row, rows_per_row

        send.metrics["bytes_per_document"] = await bytes_per_row(url, "documents") or 0.0
        send.metrics["rows_per_document"] = await rows_per_row(url, "documents") or 0.0
        direct_mbs, gateway_mbs, gateway_cpu = [], [], []
        for _ in range(ROUNDS):
            direct_mbs.append(await _upload(documents_pb2_grpc.DocumentsServiceStub(direct), pb, md))
            before = cpu_seconds(gateway.pid)
            gateway_mbs.append(await _upload(documents_pb2_grpc.DocumentsServiceStub(via_gateway), pb, md))
            gateway_cpu.append((cpu_seconds(gateway.pid) - before) / UPLOAD_MIB)
    d, g = statistics.median(direct_mbs), statistics.median(gateway_mbs)
    transfer = Result(
        f"documents: {UPLOAD_MIB} MiB attachment upload (PG)",
        backend="grpc.aio client, 1 MiB chunks",
        metrics={
            "direct_MiB_per_s": round(d, 1),
            "gateway_MiB_per_s": round(g, 1),
            "gateway_over_direct": round(g / d, 2),
            "gateway_cpu_ms_per_MiB": round(statistics.median(gateway_cpu) * 1000, 2),
        },
    )
    transfer.notes.append(f"median of {ROUNDS} alternating rounds; rps column not applicable")
    return [send, transfer]


async def _send_rate(ctx: BenchContext, stub, pb, md, recipient: str, pid: int) -> Result:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors: list[str] = []
    content = os.urandom(4096)

    async def one(record: bool) -> None:
        t0 = time.perf_counter()

        def parts():  # type: ignore[no-untyped-def]
            yield pb.UploadAttachmentRequest(
                header=pb.AttachmentHeader(file_name="cv.txt", content_type="text/plain")
            )
            yield pb.UploadAttachmentRequest(chunk=content)

        try:
            attachment = (await stub.UploadAttachment(parts(), metadata=md, timeout=10)).attachment
            await stub.SendDocument(
                pb.SendDocumentRequest(
                    idempotency_key=uuid.uuid4().hex,
                    metadata=pb.DocumentMetadata(
                        number_symbol="1/CV-BENCH",
                        document_type="Công văn",
                        summary="Bench",
                        signer_name="Bench",
                        urgency=pb.URGENCY_NORMAL,
                        confidentiality=pb.CONFIDENTIALITY_NORMAL,
                        issue_date={"year": 2026, "month": 12, "day": 5},
                    ),
                    recipient_codes=[recipient],
                    attachment_ids=[attachment.attachment_id],
                ),
                metadata=md,
                timeout=10,
            )
        except grpc.aio.AioRpcError as exc:
            errors.append(f"{exc.code().name}: {exc.details()}")
            return
        if record:
            latencies.append((time.perf_counter() - t0) * 1000)

    async def lane(until: float, record: bool) -> None:
        while time.perf_counter() < until:
            await one(record)

    await asyncio.gather(*(lane(time.perf_counter() + ctx.warmup_s, False) for _ in range(CONCURRENCY)))
    cpu_before, t_start = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(lane(t_start + ctx.duration_s, True) for _ in range(CONCURRENCY)))
    elapsed, cpu_used = time.perf_counter() - t_start, cpu_seconds(pid) - cpu_before
    latencies.sort()
    result = Result(
        "documents: send with one 4 KiB attachment (PG)",
        rps=len(latencies) / elapsed,
        p50_ms=latencies[len(latencies) // 2] if latencies else None,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        calls=len(latencies),
        errors=len(errors),
        cpu_us_per_call=cpu_used * 1e6 / max(len(latencies), 1),
        backend=f"grpc.aio in-process x{CONCURRENCY}",
        metrics={"rpcs_per_document": 2},
    )
    result.notes.append("rps = documents sent per second (UploadAttachment + SendDocument)")
    if errors:
        result.notes.append(f"sample error: {errors[0]}")
    return result


async def _upload(stub, pb, md) -> float:  # type: ignore[no-untyped-def]
    chunk = os.urandom(MIB)

    def parts():  # type: ignore[no-untyped-def]
        yield pb.UploadAttachmentRequest(
            header=pb.AttachmentHeader(file_name="scan.tif", content_type="image/tiff")
        )
        for _ in range(UPLOAD_MIB):
            yield pb.UploadAttachmentRequest(chunk=chunk)

    started = time.perf_counter()
    reply = await stub.UploadAttachment(parts(), metadata=md, timeout=300)
    assert reply.attachment.size_bytes == UPLOAD_MIB * MIB
    return UPLOAD_MIB / (time.perf_counter() - started)


async def _until_signalled() -> None:
    import signal

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()


async def _serve() -> None:
    from lienthong_documents.bootstrap import build, load_settings
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
    await _identity_created(os.environ["BENCH_AGENCIES"].split(","))
    print(f"READY {server.bound_port}", flush=True)
    await _until_signalled()
    await server.stop(1.0)


async def _identity_created(agency_ids: list[str]) -> None:
    """identity's AgencyCreated for the bench agencies, on the service's bus: the directory registers only agencies
    identity created."""
    from lienthong.identity.v1 import events_pb2 as identity_events
    from lienthong_runtime.events import connect_bus, envelope

    bus = connect_bus("memory://")
    for agency_id in agency_ids:
        created = identity_events.AgencyCreated(agency_id=agency_id, display_name=agency_id)
        await bus.publish(envelope("identity", created, subject=agency_id, agency_id=agency_id))


async def _gateway(upstream: str) -> None:
    from lienthong_gateway.bootstrap import build_gateway, load_settings
    from lienthong_runtime.auth import KeySource
    from lienthong_runtime.logs import configure_logging
    from lienthong_runtime.server import Server

    configure_logging("WARNING")
    plenty = {"rate": 1e7, "burst": 1e7}
    settings = load_settings(
        host="127.0.0.1",
        port=0,
        http_port=0,
        upstreams={"documents": [upstream]},
        token_issuer=os.environ["BENCH_ISSUER"],
        token_audience=os.environ["BENCH_AUDIENCE"],
        audit_path=os.devnull,
        bus_url="memory://",
        redis_url="",
        rate_limits={
            "agency": {"read": plenty, "write": plenty},
            "client": {"read": plenty, "write": plenty},
        },
    )
    gateway = await build_gateway(settings, keys=KeySource.from_jwks(os.environ["BENCH_JWKS"]))
    server = Server(gateway.app)
    await server.start()
    print(f"READY {server.bound_port}", flush=True)
    await _until_signalled()
    await server.stop(0.5)


if __name__ == "__main__" and sys.argv[1:2] in (["serve"], ["gateway"]):
    import uvloop

    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["serve", "gateway"])
    parser.add_argument("--upstream", default="")
    args = parser.parse_args()
    uvloop.run(_serve() if args.role == "serve" else _gateway(args.upstream))
