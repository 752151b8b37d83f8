"""The same read (registry GetCitizen) called directly, through the gateway (real token, every check on: JWT,
contract scopes, Redis-shared rate limits, audit line) and through nginx ``grpc_pass``, each as a ratio of
direct, with the CPU each process spends per call.

The upstream is a tiny grpc.aio server on uvloop answering a fixed GetCitizenResponse through a generic handler
(so the comparison measures the proxies, not registry's database). This module is also the entry point of the
two helper processes:

    python -m bench.scenarios.gateway_proxy upstream            # prints READY <port>
    python -m bench.scenarios.gateway_proxy gateway --upstream 127.0.0.1:P --jwks FILE --audit FILE
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import socket
import uuid
from pathlib import Path

import grpc

from bench.harness import BenchContext, Result, wait_for_health

SERVICE = "lienthong.registry.v1.RegistryService"
METHOD = f"/{SERVICE}/GetCitizen"
READ_SCOPE = "registry.citizens.read"
ROUNDS = 3


def _reply() -> bytes:
    from lienthong.registry.v1 import registry_pb2

    view = registry_pb2.CitizenView(personal_id="001203004567", full_name="Nguyễn Văn An", nationality="VN")
    return registry_pb2.GetCitizenResponse(citizen=view).SerializeToString()


def _request() -> bytes:
    from lienthong.registry.v1 import registry_pb2

    return registry_pb2.GetCitizenRequest(
        personal_id="001203004567", purpose="bench.read"
    ).SerializeToString()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve_upstream() -> None:
    reply, serving = _reply(), b"\x08\x01"

    async def get_citizen(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return reply

    async def health(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return serving

    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                SERVICE, {"GetCitizen": grpc.unary_unary_rpc_method_handler(get_citizen)}
            ),
            grpc.method_handlers_generic_handler(
                "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(health)}
            ),
        ]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(f"READY {port}", flush=True)
    await _until_signalled()
    await server.stop(0.5)


async def serve_gateway(args: argparse.Namespace) -> None:
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
        rest_host="127.0.0.1",
        rest_port=args.rest_port,  # -1: no REST face (bench/scenarios/gateway_rest.py gives it a port)
        upstreams={"registry": [args.upstream]},
        token_issuer=args.issuer,
        token_audience=args.audience,
        audit_path=args.audit,
        bus_url="memory://",
        redis_url=args.redis,
        rate_limit_prefix=f"lt-bench:{uuid.uuid4().hex}",
        rate_limits={
            "agency": {"read": plenty, "write": plenty},
            "client": {"read": plenty, "write": plenty},
        },
    )
    gateway = await build_gateway(settings, keys=KeySource.from_jwks(Path(args.jwks).read_text()))
    server = Server(gateway.app)
    await server.start()
    print(f"READY {server.bound_port}", flush=True)
    await _until_signalled()
    await server.stop(0.5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


NGINX_CONF = """worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream backend {{ server {upstream}; keepalive 64; keepalive_requests 1000000; keepalive_timeout 300s; }}
  server {{
    listen 127.0.0.1:{port} http2;
    keepalive_requests 1000000;
    location / {{ grpc_pass grpc://backend; }}
  }}
}}
"""


def stop_when_done(ctx: BenchContext, proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to a proxy started outside ``ctx.start_server`` when the scenario ends; wait up to 5 s."""

    async def stop() -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 5)

    ctx.add_cleanup(stop)


async def _start_nginx(ctx: BenchContext, upstream: str) -> tuple[str, int]:
    """nginx in front of ``upstream``; returns (target, worker pid)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    tmp = ctx.tmp_dir / "nginx"
    tmp.mkdir(exist_ok=True)
    port = _free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, upstream=upstream, port=port))
    proc = await asyncio.create_subprocess_exec(
        nginx, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "err.log")
    )
    stop_when_done(ctx, proc, signal.SIGQUIT)
    target = f"127.0.0.1:{port}"
    await wait_for_health(target, timeout_s=15)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return target, int(children[0]) if children else proc.pid


async def run(ctx: BenchContext) -> list[Result]:
    from lienthong_runtime.testing import TokenMint

    mint = TokenMint()
    jwks = ctx.tmp_dir / "jwks.json"
    jwks.write_text(json.dumps(mint.jwks()))
    request = _request()
    upstream = await ctx.start_server(["-m", "bench.scenarios.gateway_proxy", "upstream"], name="upstream")
    gateway = await ctx.start_server(
        [
            "-m",
            "bench.scenarios.gateway_proxy",
            "gateway",
            "--upstream",
            upstream.target,
            "--jwks",
            str(jwks),
            "--issuer",
            mint.issuer,
            "--audience",
            mint.audience,
            "--audit",
            str(ctx.tmp_dir / "audit.jsonl"),
        ],
        name="gateway",
    )
    token = mint.token([READ_SCOPE], agency="bench-agency", ttl=3600)
    paths: dict[str, tuple[str, dict[str, int], list[tuple[str, str]]]] = {
        "direct": (upstream.target, {"upstream": upstream.pid}, []),
        "via gateway": (
            gateway.target,
            {"gateway": gateway.pid, "upstream": upstream.pid},
            [("authorization", f"Bearer {token}")],
        ),
    }
    nginx_error = None
    try:
        nginx_target, nginx_pid = await _start_nginx(ctx, upstream.target)
        paths["via nginx grpc_pass"] = (nginx_target, {"nginx": nginx_pid, "upstream": upstream.pid}, [])
    except (OSError, TimeoutError, RuntimeError) as exc:
        nginx_error = f"nginx unavailable: {exc}"
    # Paired rounds: each round measures every path back to back; ratios are taken within a round.
    rounds: list[dict[str, Result]] = []
    for _ in range(ROUNDS):
        rounds.append(
            {
                name: await ctx.measure(
                    f"GetCitizen {name}", target, METHOD, request, servers=pids, metadata=metadata
                )
                for name, (target, pids, metadata) in paths.items()
            }
        )
    ratios = {
        name: sorted(r[name].rps / r["direct"].rps for r in rounds if r[name].rps and r["direct"].rps)
        for name in paths
        if name != "direct"
    }
    median = sorted(rounds, key=lambda r: (r["via gateway"].rps or 0) / (r["direct"].rps or 1))[
        len(rounds) // 2
    ]
    results = list(median.values())
    for name, values in ratios.items():
        if values:
            median[name].metrics["ratio_to_direct"] = values[len(values) // 2]
            median[name].metrics["percent_of_direct"] = (
                100 * values[len(values) // 2]
            )  # printed with 1 decimal
            median[name].notes.append("ratios by round: " + ", ".join(f"{v:.2f}" for v in values))
    audit = ctx.tmp_dir / "audit.jsonl"
    median["via gateway"].metrics["audit_lines"] = float(
        sum(1 for _ in audit.open()) if audit.exists() else 0
    )
    if nginx_error:
        results.append(Result("GetCitizen via nginx grpc_pass", error=nginx_error))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scenarios.gateway_proxy")
    sub = parser.add_subparsers(dest="role", required=True)
    sub.add_parser("upstream")
    gw = sub.add_parser("gateway")
    gw.add_argument("--upstream", required=True)
    gw.add_argument("--jwks", required=True)
    gw.add_argument("--issuer", required=True)
    gw.add_argument("--audience", default="lienthong")
    gw.add_argument("--audit", default="")
    gw.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    gw.add_argument("--rest-port", type=int, default=-1)
    args = parser.parse_args()
    import uvloop

    uvloop.run(serve_upstream() if args.role == "upstream" else serve_gateway(args))


if __name__ == "__main__":
    main()
