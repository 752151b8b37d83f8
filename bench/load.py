"""Load generator that drives any unary gRPC method at a chosen concurrency, loopback only.

Two backends, same result shape:
- `h2load` (Debian's nghttp2-client) over h2c: costs ~0.2 core, so on 2 cores it steals the least from the
  server under test. The request is pre-encoded as a gRPC frame in a file. h2load does not read `grpc-status`,
  so a sample call is made first with a real grpc.aio client, and failed calls are inferred from the received
  data bytes (an error answer is trailers-only and carries no message frame).
- `grpc`: N worker processes (`python -m bench.load --worker`) x M in-flight grpc.aio calls each, raw bytes
  through identity serializers; records every call's latency and status. Used when h2load is unavailable.

`run_load(...)` is the one entry point; `backend="auto"` prefers h2load and installs it when running as root.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import time

import grpc

from bench.load_base import (
    _IDENTITY,
    _REPO_ROOT,
    MAX_CALLS,
    MAX_DURATION_S,
    LoadError,
    LoadResult,
    Metadata,
    _check_bounds,
    _check_target,
    _children_cpu_s,
    grpc_frame,
    percentile,
    sample_call,
)
from bench.load_h2load import ensure_h2load, run_h2load

__all__ = [
    "MAX_CALLS",
    "MAX_DURATION_S",
    "LoadError",
    "LoadResult",
    "Metadata",
    "grpc_frame",
    "percentile",
    "run_load",
    "sample_call",
]


async def run_load(
    target: str,
    method: str,
    request_bytes: bytes,
    *,
    concurrency: int = 16,
    duration_s: float | None = 6.0,
    count: int | None = None,
    metadata: Metadata = (),
    backend: str = "auto",
    processes: int | None = None,
    warmup_s: float = 0.5,
    timeout_s: float = 5.0,
) -> LoadResult:
    """Drive unary `method` (e.g. "/lienthong.bench.Echo/Echo") on loopback `target` ("127.0.0.1:PORT").

    `request_bytes` is the serialized request message (no gRPC frame). Runs for `duration_s` seconds, or for
    `count` calls when `duration_s` is None. `metadata` pairs become HTTP/2 headers (e.g. authorization).
    `backend`: "auto" (h2load if available, else grpc), "h2load" or "grpc". `processes` applies to the grpc
    backend only (default: half the cores, at least 1). Errors are counted, never raised, except when the load
    itself cannot be generated (`LoadError`).
    """
    _check_target(target)
    _check_bounds(duration_s, count)
    if concurrency < 1:
        raise LoadError("concurrency must be >= 1")
    if backend not in {"auto", "h2load", "grpc"}:
        raise LoadError(f"unknown backend {backend!r}")
    h2load = ensure_h2load() if backend in {"auto", "h2load"} else None
    if backend == "h2load" and h2load is None:
        raise LoadError("h2load not available and could not be installed")
    if h2load is not None:
        return await run_h2load(
            h2load,
            target,
            method,
            request_bytes,
            concurrency,
            duration_s,
            count,
            metadata,
            warmup_s,
            timeout_s,
        )
    return await _run_grpc(
        target,
        method,
        request_bytes,
        concurrency,
        duration_s,
        count,
        metadata,
        processes,
        warmup_s,
        timeout_s,
    )


# --- multi-process grpc.aio backend -------------------------------------------------------------------------


async def _run_grpc(
    target: str,
    method: str,
    request_bytes: bytes,
    concurrency: int,
    duration_s: float | None,
    count: int | None,
    metadata: Metadata,
    processes: int | None,
    warmup_s: float,
    timeout_s: float,
) -> LoadResult:
    nproc = processes or max(1, (os.cpu_count() or 2) // 2)
    nproc = max(1, min(nproc, concurrency))
    shares = [concurrency // nproc + (1 if i < concurrency % nproc else 0) for i in range(nproc)]
    counts = (
        [None] * nproc
        if count is None
        else [count // nproc + (1 if i < count % nproc else 0) for i in range(nproc)]
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    budget = (duration_s if duration_s is not None else MAX_DURATION_S) + warmup_s + 30
    cpu_before = _children_cpu_s()
    workers = []
    for share, share_count in zip(shares, counts, strict=True):
        spec = {
            "target": target,
            "method": method,
            "request_hex": request_bytes.hex(),
            "concurrency": share,
            "duration_s": duration_s,
            "count": share_count,
            "metadata": list(metadata),
            "warmup_s": warmup_s,
            "timeout_s": timeout_s,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.load", "--worker", json.dumps(spec),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env, cwd=str(_REPO_ROOT),
        )  # fmt: skip
        workers.append(proc)
    try:
        # All workers connect and warm up first, then start together so their windows overlap.
        for proc in workers:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
            if line.strip() != b"READY":
                raise LoadError(f"load worker failed to start: {line!r}")
        for proc in workers:
            assert proc.stdin is not None
            proc.stdin.write(b"GO\n")
            await proc.stdin.drain()
        outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in workers)), timeout=budget)
    except (TimeoutError, LoadError):
        for proc in workers:
            if proc.returncode is None:
                proc.kill()
        await asyncio.gather(*(p.wait() for p in workers))
        raise
    loadgen_cpu = _children_cpu_s() - cpu_before
    reports = []
    for proc, (out, _) in zip(workers, outputs, strict=True):
        if proc.returncode != 0:
            raise LoadError(f"load worker exited {proc.returncode}")
        reports.append(json.loads(out))
    latencies = sorted(v / 1000.0 for r in reports for v in r["latencies_us"])
    calls = sum(r["calls"] for r in reports)
    elapsed = max(r["elapsed_s"] for r in reports) or 1e-9
    samples = [r["error_sample"] for r in reports if r["error_sample"]]
    return LoadResult(
        rps=calls / elapsed,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        errors=sum(r["errors"] for r in reports),
        calls=calls,
        backend=f"grpc({nproc}x{max(shares)})",
        elapsed_s=elapsed,
        loadgen_cpu_s=loadgen_cpu,
        error_sample=samples[0] if samples else None,
    )


async def _worker(spec: dict) -> dict:
    request = bytes.fromhex(spec["request_hex"])
    metadata = tuple(tuple(pair) for pair in spec["metadata"])
    timeout_s, concurrency = spec["timeout_s"], spec["concurrency"]
    latencies: list[int] = []
    state = {"errors": 0, "sample": None, "left": spec["count"]}
    async with grpc.aio.insecure_channel(spec["target"], options=[("grpc.so_reuseport", 0)]) as channel:
        call = channel.unary_unary(
            spec["method"], request_serializer=_IDENTITY, response_deserializer=_IDENTITY
        )
        await asyncio.wait_for(channel.channel_ready(), timeout=10)
        warm_until = time.monotonic() + spec["warmup_s"]
        while time.monotonic() < warm_until:
            try:
                await call(request, metadata=metadata, timeout=timeout_s)
            except grpc.aio.AioRpcError:
                break
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        start = time.perf_counter()
        deadline = start + spec["duration_s"] if spec["duration_s"] is not None else math.inf

        async def lane() -> None:
            while time.perf_counter() < deadline:
                if state["left"] is not None:
                    if state["left"] <= 0:
                        return
                    state["left"] -= 1
                t0 = time.perf_counter_ns()
                try:
                    await call(request, metadata=metadata, timeout=timeout_s)
                except grpc.aio.AioRpcError as exc:
                    state["errors"] += 1
                    state["sample"] = state["sample"] or f"{exc.code().name}: {exc.details()}"
                latencies.append((time.perf_counter_ns() - t0) // 1000)

        await asyncio.gather(*(lane() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {
        "calls": len(latencies),
        "errors": state["errors"],
        "error_sample": state["sample"],
        "elapsed_s": elapsed,
        "latencies_us": latencies,
    }


def _worker_main(spec_json: str) -> None:
    result = asyncio.run(_worker(json.loads(spec_json)))
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _worker_main(sys.argv[2])
    else:
        sys.exit("usage: python -m bench.load --worker SPEC_JSON (internal; use bench.load.run_load)")
