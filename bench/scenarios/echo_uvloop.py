"""The same echo server on uvloop: shows what the event loop alone is worth (PERF-NOTES: x1.06-1.25)."""

from __future__ import annotations

from bench.echo import ECHO_METHOD
from bench.harness import BenchContext, Result


async def run(ctx: BenchContext) -> list[Result]:
    server = await ctx.start_server(["-m", "bench.echo", "--port", "0", "--uvloop"], name="echo-uvloop")
    result = await ctx.measure(
        "echo (grpc.aio + uvloop)", server.target, ECHO_METHOD, ctx.echo_request, servers=[server]
    )
    await server.stop()
    return [result]
