"""The token-issue rows of ``identity_tokens``: ``IssueToken`` over gRPC and ``POST /oauth2/token`` over HTTP/1.1
on the same server, measured in mirrored order (HTTP, gRPC, gRPC, HTTP).

Measured back to back on one database, whichever row ran second came out slower (IssueToken: 255 req/s first,
88-143 second; the ratio read 0.2-0.3 with HTTP second and 0.8 with HTTP first, 2026-12-05, load average 9-16
on 2 cores). In ABBA order a linear drift cancels; each row is the mean of its two runs.
"""

from __future__ import annotations

import base64
from statistics import mean
from typing import Any

from bench.harness import BenchContext, Result
from lienthong.identity.v1 import identity_pb2 as pb

ISSUE_TOKEN = "/lienthong.identity.v1.IdentityService/IssueToken"


async def _http_run(ctx: BenchContext, server: Any, url: str, client_id: str, secret: str) -> Result:
    from bench.load_http import run_http_load

    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    headers = {"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"}
    body = b"grant_type=client_credentials"
    await run_http_load(url, body, headers, concurrency=ctx.concurrency, duration_s=1.0)  # warm-up
    before = server.cpu_seconds()
    load = await run_http_load(url, body, headers, concurrency=ctx.concurrency, duration_s=ctx.duration_s)
    return Result.from_load("http", load, {"identity": server.cpu_seconds() - before})


def _mean(name: str, runs: list[Result]) -> Result:
    first = runs[0]
    row = Result(
        name,
        rps=mean(r.rps or 0.0 for r in runs),
        p50_ms=mean(r.p50_ms or 0.0 for r in runs),
        p99_ms=max(r.p99_ms or 0.0 for r in runs),
        calls=sum(r.calls for r in runs),
        errors=sum(r.errors for r in runs),
        cpu_us_per_call=mean(r.cpu_us_per_call or 0.0 for r in runs),
        backend=first.backend,
        notes=[*first.notes, f"mean of {len(runs)} runs in ABBA order (p99: the worse)"],
    )
    row.metrics["loadgen_cpu_us_per_call"] = mean(r.metrics.get("loadgen_cpu_us_per_call", 0.0) for r in runs)
    return row


async def token_issue_rows(
    ctx: BenchContext, server: Any, http_port: int, client_id: str, secret: str
) -> list[Result]:
    """``IssueToken`` (client_secret) and ``POST /oauth2/token`` (client_secret_basic, keep-alive connections):
    the same handler behind protobuf or a form parser; ``x_IssueToken`` is the HTTP row's ratio to the gRPC one."""
    url = f"http://127.0.0.1:{http_port}/oauth2/token"
    issue = pb.IssueTokenRequest(client_id=client_id, client_secret=secret).SerializeToString()

    async def grpc_run() -> Result:
        return await ctx.measure("grpc", server.target, ISSUE_TOKEN, issue, servers=[server])

    http_runs = [await _http_run(ctx, server, url, client_id, secret)]
    grpc_runs = [await grpc_run(), await grpc_run()]
    http_runs.append(await _http_run(ctx, server, url, client_id, secret))
    grpc_row = _mean("identity IssueToken (secret, PG)", grpc_runs)
    http_row = _mean("identity POST /oauth2/token (basic)", http_runs)
    if grpc_row.rps and http_row.rps:
        http_row.metrics["x_IssueToken"] = round(http_row.rps / grpc_row.rps, 2)
    return [grpc_row, http_row]
