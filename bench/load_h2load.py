"""The h2load backend of :func:`bench.load.run_load`: Debian's nghttp2-client over h2c, about 0.2 core of load.

The request is pre-encoded as a gRPC frame in a file. h2load does not read ``grpc-status``, so a sample call is
made first with a real grpc.aio client, and failed calls are inferred from the received data bytes (an error
answer is trailers-only and carries no message frame).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc

from bench.load_base import (
    MAX_DURATION_S,
    LoadError,
    LoadResult,
    Metadata,
    _children_cpu_s,
    grpc_frame,
    percentile,
    sample_call,
)

#: The h2load path once looked up (False: not looked up yet; None: unavailable).
_h2load_checked: str | bool | None = False


def ensure_h2load() -> str | None:
    """Path of h2load; installs nghttp2-client when missing and running as root. None if unavailable."""
    global _h2load_checked
    if _h2load_checked is not False:
        return _h2load_checked or None
    path = shutil.which("h2load")
    if path is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: h2load missing, installing nghttp2-client ...", file=sys.stderr, flush=True)
        try:
            subprocess.run(
                ["apt-get", "install", "-y", "-q", "nghttp2-client"],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=180,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            pass
        path = shutil.which("h2load")
    _h2load_checked = path
    return path


_FINISHED = re.compile(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s")
_REQUESTS = re.compile(
    r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, "
    r"(\d+) timeout"
)
_STATUS = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")
_TRAFFIC = re.compile(r"traffic: .*?, [\d.]+\w*B \((\d+)\) data")


def parse_h2load_output(text: str) -> dict[str, float]:
    """h2load's summary: elapsed_s, rps, done, succeeded, failed, errored, timeout, non2xx, data_bytes."""
    finished, requests, status, traffic = (
        _FINISHED.search(text),
        _REQUESTS.search(text),
        _STATUS.search(text),
        _TRAFFIC.search(text),
    )
    if not (finished and requests and status and traffic):
        raise LoadError(f"unexpected h2load output:\n{text[-2000:]}")
    elapsed = float(finished.group(1)) / (1000.0 if finished.group(2) == "ms" else 1.0)
    _, _, done, ok, failed, errored, timed_out = (int(g) for g in requests.groups())
    _, s3, s4, s5 = (int(g) for g in status.groups())
    return {
        "elapsed_s": elapsed,
        "rps": float(finished.group(3)),
        "done": done,
        "succeeded": ok,
        "failed": failed,
        "errored": errored,
        "timeout": timed_out,
        "non2xx": s3 + s4 + s5,
        "data_bytes": int(traffic.group(1)),
    }


def parse_h2load_log(path: Path) -> list[float]:
    """Per-request latencies in ms from h2load's --log-file (start_us, http_status, duration_us per line)."""
    latencies = []
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[2].isdigit():
            latencies.append(int(parts[2]) / 1000.0)
    latencies.sort()
    return latencies


async def run_h2load_command(cmd: list[str], budget: float) -> tuple[str, float]:
    """Run an h2load command line within ``budget`` seconds: (its output, the CPU seconds it used)."""
    cpu_before = _children_cpu_s()
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=budget)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise LoadError(f"h2load did not finish within {budget:.0f}s") from None
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        raise LoadError(f"h2load exited {proc.returncode}:\n{text[-2000:]}")
    return text, _children_cpu_s() - cpu_before


async def run_h2load(
    h2load: str,
    target: str,
    method: str,
    request_bytes: bytes,
    concurrency: int,
    duration_s: float | None,
    count: int | None,
    metadata: Metadata,
    warmup_s: float,
    timeout_s: float,
) -> LoadResult:
    notes: list[str] = []
    try:
        reply = await sample_call(target, method, request_bytes, metadata, timeout_s)
        error_sample = None
    except grpc.aio.AioRpcError as exc:
        reply, error_sample = None, f"{exc.code().name}: {exc.details()}"
    with tempfile.TemporaryDirectory(prefix="bench-h2load-") as tmp:
        data_file, log_file = Path(tmp) / "req.bin", Path(tmp) / "h2load.log"
        data_file.write_bytes(grpc_frame(request_bytes))
        log_file.unlink(missing_ok=True)  # --log-file appends
        cmd = [h2load, "-c", "1", "-t", "1", "-m", str(concurrency), "-d", str(data_file)]
        cmd += ["-H", "content-type: application/grpc", "-H", "te: trailers", f"--log-file={log_file}"]
        for key, value in metadata:
            cmd += ["-H", f"{key}: {value}"]
        if duration_s is not None:
            cmd += ["-D", f"{round(duration_s * 1000)}ms", f"--warm-up-time={round(warmup_s * 1000)}ms"]
            budget = duration_s + warmup_s + 30
        else:
            cmd += ["-n", str(count)]
            budget = MAX_DURATION_S
        cmd.append(f"http://{target}{method}")
        text, loadgen_cpu = await run_h2load_command(cmd, budget)
        figures = parse_h2load_output(text)
        latencies = parse_h2load_log(log_file)
    transport_errors = int(figures["failed"] + figures["errored"] + figures["timeout"] + figures["non2xx"])
    grpc_errors = 0
    if reply is None:
        grpc_errors = int(figures["succeeded"])
        notes.append("sample call failed; every HTTP-level success counted as a gRPC error")
    else:
        # An OK answer carries one message frame; an error answer is trailers-only (no data). Assumes the
        # reply size does not vary with the call, which holds when the same request is sent every time.
        frame = len(grpc_frame(reply))
        expected = figures["succeeded"] * frame
        if figures["data_bytes"] < expected:
            grpc_errors = round((expected - figures["data_bytes"]) / frame)
            notes.append(f"{grpc_errors} calls without a reply message (non-OK grpc-status inferred)")
    calls = int(figures["done"])
    return LoadResult(
        rps=figures["rps"],
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        errors=transport_errors + grpc_errors,
        calls=calls,
        backend="h2load",
        # "finished in" includes the warm-up; rps is computed over the main window only.
        elapsed_s=calls / figures["rps"] if figures["rps"] else figures["elapsed_s"],
        loadgen_cpu_s=loadgen_cpu,
        error_sample=error_sample,
        notes=notes,
    )
