"""HTTP/1.1 load with h2load (``--h1``): the same tool, result shape and figures as the gRPC backend, for the HTTP
endpoints (OAuth token endpoint). Each of ``concurrency`` keep-alive connections has one request in flight.

A request counts as an error unless it answers 2xx; ``sample_status`` says what the first request answered so a
run that only measured refusals is visible.
"""

from __future__ import annotations

import tempfile
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

import aiohttp

from bench.load_base import LOOPBACK_HOSTS, MAX_DURATION_S, LoadError, LoadResult, percentile
from bench.load_h2load import ensure_h2load, parse_h2load_log, parse_h2load_output, run_h2load_command


async def run_http_load(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    concurrency: int = 16,
    duration_s: float = 6.0,
    warmup_s: float = 0.5,
) -> LoadResult:
    """POST ``body`` to ``url`` (loopback only) for ``duration_s`` seconds after a warm-up."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise LoadError(f"load is generated on loopback only, got host {host!r}")
    if not 0 < duration_s <= MAX_DURATION_S:
        raise LoadError(f"duration_s must be in (0, {MAX_DURATION_S}]")
    h2load = ensure_h2load()
    if h2load is None:
        raise LoadError("h2load (nghttp2-client) is needed for HTTP load")
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=dict(headers)) as reply,
    ):
        sample = f"{reply.status} {(await reply.text())[:200]}"
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        data_file, log_file = Path(tmp) / "body", Path(tmp) / "h2load.log"
        data_file.write_bytes(body)
        cmd = [h2load, "--h1", "-c", str(concurrency), "-t", "1", "-m", "1", "-d", str(data_file)]
        cmd += [f"--log-file={log_file}", "-D", f"{round(duration_s * 1000)}ms"]
        cmd += [f"--warm-up-time={round(warmup_s * 1000)}ms"]
        for key, value in headers.items():
            cmd += ["-H", f"{key}: {value}"]
        cmd.append(url)
        text, loadgen_cpu = await run_h2load_command(cmd, duration_s + warmup_s + 30)
        figures = parse_h2load_output(text)
        latencies = parse_h2load_log(log_file)
    calls = int(figures["done"])
    errors = int(figures["failed"] + figures["errored"] + figures["timeout"] + figures["non2xx"])
    return LoadResult(
        rps=figures["rps"],
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        errors=errors,
        calls=calls,
        backend=f"h2load --h1 x{concurrency}",
        elapsed_s=calls / figures["rps"] if figures["rps"] else figures["elapsed_s"],
        loadgen_cpu_s=loadgen_cpu,
        error_sample=None if sample.startswith("2") else sample,
    )
