"""`python -m bench`: the echo baseline first, then every scenario in bench/scenarios/, as ratios of it.

Exit status is non-zero only when the baseline cannot be measured; a failing scenario is printed and skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import pkgutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import bench.scenarios
from bench.echo import ECHO_METHOD
from bench.harness import RESULTS_DIR, BenchContext, Report, Result, start_server


def discover() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(bench.scenarios.__path__) if not m.name.startswith("_")
    )


async def measure_baseline(ctx: BenchContext) -> Result:
    async with await start_server(["-m", "bench.echo", "--port", "0"], name="echo") as server:
        result = await ctx.measure("echo baseline (grpc.aio)", server.target, ECHO_METHOD, ctx.echo_request,
                                   servers=[server])  # fmt: skip
    if result.errors or not result.calls:
        raise RuntimeError(f"baseline: {result.calls} calls, {result.errors} errors {result.notes}")
    return result


async def run_scenario(name: str, ctx: BenchContext, timeout_s: float) -> list[Result]:
    started = time.monotonic()
    print(f"bench: scenario {name} ...", file=sys.stderr, flush=True)
    try:
        module = importlib.import_module(f"bench.scenarios.{name}")
        async with asyncio.timeout(timeout_s):
            results = list(await module.run(ctx))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        results = [Result(name, error=f"{type(exc).__name__}: {exc}")]
    finally:
        await ctx.close()
    print(f"bench: scenario {name} done in {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
    return results


async def main_async(args: argparse.Namespace) -> int:
    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    unknown = set(args.only or ()) - set(names)
    if unknown:
        print(f"bench: unknown scenario(s) {sorted(unknown)}; available: {names}", file=sys.stderr)
        return 2
    selected = [n for n in names if not args.only or n in args.only]
    with tempfile.TemporaryDirectory(prefix="lienthong-bench-") as tmp:
        placeholder = Result("echo baseline (grpc.aio)")
        ctx = BenchContext(placeholder, args.duration, args.concurrency, args.backend, Path(tmp))
        print(
            f"bench: echo baseline, {args.duration:g}s at concurrency {args.concurrency} ...", file=sys.stderr
        )
        try:
            ctx.baseline = await measure_baseline(ctx)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            print(f"bench: baseline failed ({exc}); no ratio can be computed", file=sys.stderr)
            return 1
        report = Report(ctx.baseline)
        for name in selected:
            for result in await run_scenario(name, ctx, args.scenario_timeout):
                report.add(result)
    print()
    report.print()
    if args.json:
        report.write_json(Path(args.json))
        print(f"\nbench: results written to {args.json}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds of load per measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="calls in flight per measurement")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these scenarios (after the baseline)"
    )
    parser.add_argument(
        "--backend", choices=["auto", "h2load", "grpc"], default="auto", help="load generator"
    )
    parser.add_argument(
        "--scenario-timeout", type=float, default=1800.0, help="seconds before a scenario is cut"
    )
    parser.add_argument("--json", nargs="?", const=str(RESULTS_DIR / "latest.json"), metavar="PATH",
                        help="also write results as JSON (default: bench/results/latest.json)")  # fmt: skip
    parser.add_argument("--list", action="store_true", help="list scenarios and exit")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
