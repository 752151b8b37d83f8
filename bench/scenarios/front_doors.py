"""The front doors side by side, in the same run and on the same upstream: direct, HAProxy with every check on
(ES256 signature by kid, alg/typ/iss/aud/exp/nbf, revocation maps, scope ACL, per-client and per-agency stick
tables, a JSON audit line per call), the same HAProxy with no rule at all (the engine's floor), the Python gateway
(every check on) and nginx ``grpc_pass`` (no checks), as ratios of direct, with each proxy's CPU per call. Goal:
HAProxy >= 0.80 of direct, <= 150 us per call.

Two placements, each in paired rounds:

- **shared cores**: every process runs where the scheduler puts it. On a two-core machine the proxy then takes
  its CPU from the upstream's own threads (grpc core's poller runs beside the Python thread), so the ratio mixes
  what the proxy does to a call with which process wins the CPU.
- **own cores** (machines with two CPUs or more): the upstream is pinned to the first CPU and the load generator
  and the proxies to the others, in every path including direct. The upstream has the same CPU in every path,
  as in production where the front door runs on its own nodes, so the ratio measures what the proxy does to the
  call: latency, and the extra frames it makes the upstream read (HAProxy 2.6 answers every DATA frame with
  WINDOW_UPDATEs, one more wake-up of the upstream per call).

The engine remembers a token that passed the checks on its bytes (``LIENTHONG_EDGE_VERIFY_CACHE_S``: form, header,
signature, required claims, issuer, audience), and the load sends one token, as a client does for the token's
lifetime; "via HAProxy, verify every call" is the same engine with the cache off.

Then GetCitizen against the real registry on PostgreSQL (a small scratch database) through each front door.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path
from typing import Any

from bench.harness import BenchContext, Result, wait_for_health
from bench.scenarios.gateway_proxy import METHOD, READ_SCOPE, _request, _start_nginx, stop_when_done

ROUNDS = 3
#: The production default (EdgeSettings.check_interval_ms), not the tests' faster one.
CHECK_INTERVAL_MS = 1000
PLENTY = {"rate": 1e7, "burst": 1e7}
REGISTRY_CITIZENS = int(os.environ.get("LIENTHONG_BENCH_FRONT_DOOR_CITIZENS", "2000"))


def _worker_pid(master: int) -> int:
    """HAProxy's worker (the process that serves calls) under its master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[-1]) if children else master


@contextlib.asynccontextmanager
async def _engine(ctx: BenchContext, upstream: str, mint: Any, **edge: Any) -> Any:
    from lienthong_edge.process import engine
    from lienthong_gateway.config import Settings as GatewaySettings

    settings = GatewaySettings(
        upstreams={"registry": [upstream]},
        token_issuer=mint.issuer,
        token_audience=mint.audience,
        rate_limits={
            "agency": {"read": PLENTY, "write": PLENTY},
            "client": {"read": PLENTY, "write": PLENTY},
        },
    )
    folder = ctx.tmp_dir / f"engine-{upstream.rsplit(':', 1)[-1]}-{len(edge)}"
    edge.setdefault("check_interval_ms", CHECK_INTERVAL_MS)
    with engine(settings, jwks=mint.jwks(), folder=str(folder), threads=1, **edge) as running:
        await _until_serving(running, mint)
        yield running


async def _until_serving(running: Any, mint: Any) -> None:
    """Wait for the upstream's first health check to pass (a call through the engine succeeds)."""
    import grpc

    metadata = (("authorization", f"Bearer {mint.token([READ_SCOPE])}"),)
    async with grpc.aio.insecure_channel(running.target) as channel:
        for _ in range(100):
            try:
                await channel.unary_unary(METHOD)(_request(), metadata=metadata, timeout=2)
                return
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE:
                    return  # the upstream answered (with its own refusal): it is up
                last = error
                await asyncio.sleep(0.1)
    notices = [line for line in running.log_lines() if not line.startswith("{")]
    raise RuntimeError(f"the engine never served: {last.details()}; " + " | ".join(notices[-6:]))


async def _gateway(ctx: BenchContext, upstream: str, mint: Any) -> Any:
    jwks = ctx.tmp_dir / f"jwks-{upstream.rsplit(':', 1)[-1]}.json"
    jwks.write_text(json.dumps(mint.jwks()))
    return await ctx.start_server(
        ["-m", "bench.scenarios.gateway_proxy", "gateway", "--upstream", upstream, "--jwks", str(jwks),
         "--issuer", mint.issuer, "--audience", mint.audience, "--audit", str(ctx.tmp_dir / "audit.jsonl")],
        name="gateway",
    )  # fmt: skip


PLAIN_HAPROXY = """global
    nbthread 1
    tune.bufsize 32768
defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
frontend fe
    bind 127.0.0.1:{port}
    default_backend be
backend be
    http-reuse always
    server upstream1 {upstream} proto h2
"""


async def _plain_haproxy(ctx: BenchContext, upstream: str) -> tuple[str, int]:
    """HAProxy with no rule at all (h2 in, h2 out, the engine's settings): what the checks are added to."""
    from lienthong_edge.process import free_port, haproxy_binary

    binary = haproxy_binary() or "haproxy"
    port = free_port()
    conf = ctx.tmp_dir / "plain-haproxy.cfg"
    conf.write_text(PLAIN_HAPROXY.format(port=port, upstream=upstream))
    proc = await asyncio.create_subprocess_exec(binary, "-f", str(conf))
    stop_when_done(ctx, proc)
    target = f"127.0.0.1:{port}"
    await wait_for_health(target, timeout_s=15)
    return target, proc.pid


def _placement() -> tuple[set[int], set[int]] | None:
    """(the upstream's CPU, everyone else's) for the own-cores rounds; None on a one-CPU machine."""
    cpus = sorted(os.sched_getaffinity(0))
    return ({cpus[0]}, set(cpus[1:])) if len(cpus) >= 2 else None


def _pin(pid: int, cpus: set[int]) -> None:
    """Every thread of ``pid`` (threads it starts later inherit the mask of the thread that starts them)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(int(task.name), cpus)


@contextlib.contextmanager
def _own_cores(upstream: int, proxies: list[int], placement: tuple[set[int], set[int]]) -> Any:
    """Pin the upstream to its CPU and the proxies and this process (hence h2load, which it starts) to the rest;
    everything back to every CPU afterwards."""
    mine, others = placement
    everything = mine | others
    before = os.sched_getaffinity(0)
    _pin(upstream, mine)
    for pid in proxies:
        _pin(pid, others)
    os.sched_setaffinity(0, others)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
        for pid in [upstream, *proxies]:
            with contextlib.suppress(FileNotFoundError):
                _pin(pid, everything)


def _median_round(rounds: list[dict[str, Result]], key: str) -> dict[str, Result]:
    ordered = sorted(rounds, key=lambda r: (r[key].rps or 0) / (r["direct"].rps or 1))
    return ordered[len(ordered) // 2]


async def _compare(
    ctx: BenchContext,
    label: str,
    paths: dict[str, tuple[str, dict[str, int], list[tuple[str, str]]]],
    request: bytes,
    rounds: int,
    suffix: str = "",
    **load: Any,
) -> list[Result]:
    """Paired rounds (every path back to back), ratios to direct taken within each round."""
    measured: list[dict[str, Result]] = []
    for _ in range(rounds):
        measured.append(
            {
                name: await ctx.measure(
                    f"{label} {name}{suffix}", target, METHOD, request, servers=pids, metadata=md, **load
                )
                for name, (target, pids, md) in paths.items()
            }
        )
    median = (
        _median_round(measured, "via HAProxy") if "via HAProxy" in paths else measured[len(measured) // 2]
    )
    for name in paths:
        if name == "direct":
            continue
        values = sorted(r[name].rps / r["direct"].rps for r in measured if r[name].rps and r["direct"].rps)
        if values:
            median[name].metrics["ratio_to_direct"] = values[len(values) // 2]
            median[name].notes.append("ratios to direct by round: " + ", ".join(f"{v:.2f}" for v in values))
    return list(median.values())


async def run(ctx: BenchContext) -> list[Result]:
    from lienthong_runtime.testing import TokenMint

    mint = TokenMint()
    token = mint.token([READ_SCOPE], agency="bench-agency", ttl=3600)
    bearer = [("authorization", f"Bearer {token}")]
    upstream = await ctx.start_server(["-m", "bench.scenarios.gateway_proxy", "upstream"], name="upstream")
    gateway = await _gateway(ctx, upstream.target, mint)
    nginx_target, nginx_pid = await _start_nginx(ctx, upstream.target)
    plain_target, plain_pid = await _plain_haproxy(ctx, upstream.target)
    async with (
        _engine(ctx, upstream.target, mint) as edge,
        _engine(ctx, upstream.target, mint, verify_cache_s=0) as uncached,
    ):
        worker = _worker_pid(edge.process.pid)
        paths = {
            "direct": (upstream.target, {"upstream": upstream.pid}, []),
            "via HAProxy": (edge.target, {"haproxy": worker, "upstream": upstream.pid}, bearer),
            "via HAProxy, verify every call": (
                uncached.target,
                {"haproxy": _worker_pid(uncached.process.pid), "upstream": upstream.pid},
                bearer,
            ),
            "via HAProxy, no checks": (
                plain_target,
                {"haproxy": plain_pid, "upstream": upstream.pid},
                bearer,
            ),
            "via gateway": (gateway.target, {"gateway": gateway.pid, "upstream": upstream.pid}, bearer),
            "via nginx grpc_pass": (nginx_target, {"nginx": nginx_pid, "upstream": upstream.pid}, []),
        }
        results = await _compare(ctx, "GetCitizen", paths, _request(), ROUNDS)
        placement = _placement()
        if placement is not None:
            proxies = [
                pid for _, pids, _ in paths.values() for role, pid in pids.items() if role != "upstream"
            ]
            with _own_cores(upstream.pid, proxies, placement):
                results += await _compare(ctx, "GetCitizen", paths, _request(), ROUNDS, suffix=" (own cores)")
        audited = sum(1 for line in edge.audit_lines() if "GetCitizen" in line)  # JSON escapes the slashes
    for result in results:
        if result.name.endswith("via HAProxy"):
            result.metrics["audit_lines"] = float(audited)
        if "via HAProxy" in result.name and "no checks" not in result.name:
            result.notes.append("goal: ratio_to_direct >= 0.80, haproxy CPU <= 150 us/call")
        if result.name.endswith("(own cores)"):
            result.notes.append(
                "upstream pinned to one CPU in every path; load generator and proxy on the others"
            )
    try:  # the registry part starts PostgreSQL-backed servers: on a loaded machine it may time out, and the
        # figures above must not be lost with it
        return results + await _registry(ctx, mint)
    except Exception as exc:
        return [*results, Result("registry on PostgreSQL GetCitizen", error=f"{type(exc).__name__}: {exc}")]


async def _registry(ctx: BenchContext, mint: Any) -> list[Result]:
    """GetCitizen against the registry on PostgreSQL, directly and through each front door."""
    from bench.scenarios.registry_load import AGENCY, PURPOSE, _grant, _keys, generate
    from lienthong.registry.v1 import registry_pb2 as pb
    from lienthong_registry.bootstrap import load_settings
    from lienthong_registry.bulk_import import import_file
    from lienthong_runtime import migrations

    url = (await ctx.create_scratch_database("front_doors")).replace(
        "postgresql://", "postgresql+asyncpg://", 1
    )
    await migrations.upgrade_async("lienthong_registry", url, "registry")
    keys = _keys()
    csv_path = ctx.tmp_dir / "citizens.csv"
    pid = await asyncio.to_thread(generate, csv_path, REGISTRY_CITIZENS)
    settings = load_settings(
        database_url=url,
        encryption_keys=keys["LIENTHONG_REGISTRY_ENCRYPTION_KEYS"],
        blind_index_key=keys["LIENTHONG_REGISTRY_BLIND_INDEX_KEY"],
    )
    await import_file(csv_path, settings, agency_id=AGENCY, legal_reason="Bench", url=url, time_limit_s=120)
    env = {
        **keys,
        "LIENTHONG_REGISTRY_DATABASE_URL": url,
        "LIENTHONG_BENCH_JWKS": json.dumps(mint.jwks()),
        "LIENTHONG_REGISTRY_TOKEN_ISSUER": mint.issuer,
        "LIENTHONG_REGISTRY_TOKEN_AUDIENCE": mint.audience,
        "LIENTHONG_REGISTRY_LOG_LEVEL": "WARNING",
    }
    registry = await ctx.start_server(
        ["-m", "bench.scenarios.registry_load", "--serve"], name="registry", env=env
    )
    await _grant(registry.target, mint, pb)
    bearer = [("authorization", f"Bearer {mint.token([READ_SCOPE], agency=AGENCY, ttl=3600)}")]
    gateway = await _gateway(ctx, registry.target, mint)
    nginx_target, nginx_pid = await _start_nginx(ctx, registry.target)
    request = pb.GetCitizenRequest(personal_id=pid, purpose=PURPOSE).SerializeToString()
    async with _engine(ctx, registry.target, mint) as edge:
        paths = {
            "direct": (registry.target, {"registry": registry.pid}, bearer),
            "via HAProxy": (
                edge.target,
                {"haproxy": _worker_pid(edge.process.pid), "registry": registry.pid},
                bearer,
            ),
            "via gateway": (gateway.target, {"gateway": gateway.pid, "registry": registry.pid}, bearer),
            "via nginx grpc_pass": (nginx_target, {"nginx": nginx_pid, "registry": registry.pid}, bearer),
        }
        return await _compare(ctx, "registry on PostgreSQL GetCitizen", paths, request, 1)
