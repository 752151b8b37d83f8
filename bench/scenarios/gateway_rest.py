"""REST ``GET /v1/citizens/{personal_id}?purpose=...`` through the gateway's REST face as a ratio of gRPC
``GetCitizen`` through the same gateway (same token, scopes, rate limits and audit; the same upstream answering
a fixed reply, as in gateway_proxy). All driven by h2load with the run's concurrency: gRPC and REST over h2c on
one connection with that many streams, REST over HTTP/1.1 (aiohttp's path, what HAProxy and most agency
clients speak) on that many connections. Paired rounds: ratios are taken within a round, the median round (by
the HTTP/1.1 ratio) is reported.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

from bench.harness import BenchContext, Result, cpu_seconds
from bench.load import LoadError, LoadResult, _children_cpu_s, percentile
from bench.load_h2load import ensure_h2load, parse_h2load_log, parse_h2load_output
from bench.scenarios.gateway_proxy import METHOD, READ_SCOPE, _free_port, _request

ROUNDS = 3
PATH = "/v1/citizens/001203004567?purpose=bench.read"


async def _h2load_get(
    h2load: str, url: str, headers: list[str], ctx: BenchContext, *, h1: bool, duration: float
) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="bench-rest-") as tmp:
        log_file = Path(tmp) / "h2load.log"
        cmd = [h2load, "-t", "1", f"--log-file={log_file}", "-D", f"{round(duration * 1000)}ms"]
        # HTTP/2: one connection, `concurrency` streams (as the gRPC runs); HTTP/1.1: that many connections.
        cmd += (
            ["--h1", "-c", str(ctx.concurrency), "-m", "1"] if h1 else ["-c", "1", "-m", str(ctx.concurrency)]
        )
        for header in headers:
            cmd += ["-H", header]
        cmd.append(url)
        before = _children_cpu_s()
        proc = await asyncio.create_subprocess_exec(
            *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=duration + 60)
        text = out.decode(errors="replace")
        if proc.returncode != 0:
            raise LoadError(f"h2load exited {proc.returncode}:\n{text[-2000:]}")
        figures = parse_h2load_output(text)
        latencies = parse_h2load_log(log_file)
    errors = int(figures["failed"] + figures["errored"] + figures["timeout"] + figures["non2xx"])
    return LoadResult(
        rps=figures["rps"],
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        errors=errors,
        calls=int(figures["done"]),
        backend="h2load --h1" if h1 else "h2load h2c",
        elapsed_s=figures["elapsed_s"],
        loadgen_cpu_s=_children_cpu_s() - before,
    )


async def _measure_rest(
    ctx: BenchContext, name: str, h2load: str, url: str, headers: list[str], pids: dict[str, int], *, h1: bool
) -> Result:
    await _h2load_get(h2load, url, headers, ctx, h1=h1, duration=ctx.warmup_s)
    before = {n: cpu_seconds(pid) for n, pid in pids.items()}
    load = await _h2load_get(h2load, url, headers, ctx, h1=h1, duration=ctx.duration_s)
    cpu = {n: cpu_seconds(pid) - before[n] for n, pid in pids.items()}
    return Result.from_load(name, load, cpu)


async def run(ctx: BenchContext) -> list[Result]:
    from lienthong_runtime.testing import TokenMint

    h2load = ensure_h2load()
    if h2load is None:
        return [Result("GetCitizen REST via gateway", error="h2load (nghttp2-client) is not installed")]
    mint = TokenMint()
    jwks = ctx.tmp_dir / "jwks.json"
    jwks.write_text(json.dumps(mint.jwks()))
    upstream = await ctx.start_server(["-m", "bench.scenarios.gateway_proxy", "upstream"], name="upstream")
    rest_port = _free_port()
    gateway = await ctx.start_server(
        ["-m", "bench.scenarios.gateway_proxy", "gateway", "--upstream", upstream.target, "--jwks", str(jwks),
         "--issuer", mint.issuer, "--audience", mint.audience, "--audit", str(ctx.tmp_dir / "audit.jsonl"),
         "--rest-port", str(rest_port)],
        name="gateway",
    )  # fmt: skip
    token = mint.token([READ_SCOPE], agency="bench-agency", ttl=3600)
    pids = {"gateway": gateway.pid, "upstream": upstream.pid}
    url, auth = f"http://127.0.0.1:{rest_port}{PATH}", f"authorization: Bearer {token}"
    rounds: list[dict[str, Result]] = []
    for _ in range(ROUNDS):
        grpc_result = await ctx.measure(
            "GetCitizen gRPC via gateway",
            gateway.target,
            METHOD,
            _request(),
            servers=pids,
            metadata=[("authorization", f"Bearer {token}")],
        )
        rounds.append(
            {
                "grpc": grpc_result,
                "rest": await _measure_rest(
                    ctx, "GetCitizen REST (h2c) via gateway", h2load, url, [auth], pids, h1=False
                ),
                "rest_h1": await _measure_rest(
                    ctx, "GetCitizen REST (HTTP/1.1) via gateway", h2load, url, [auth], pids, h1=True
                ),
            }
        )

    def ratio(r: dict[str, Result], key: str) -> float:
        return (r[key].rps or 0) / (r["grpc"].rps or 1)

    median = sorted(rounds, key=lambda r: ratio(r, "rest_h1"))[len(rounds) // 2]
    for key in ("rest", "rest_h1"):
        values = sorted(ratio(r, key) for r in rounds)
        median[key].metrics["ratio_to_grpc_via_gateway"] = ratio(median, key)
        median[key].notes.append("ratio to gRPC via the same gateway, by round: " +
                                 ", ".join(f"{v:.2f}" for v in values))  # fmt: skip
    return list(median.values())
