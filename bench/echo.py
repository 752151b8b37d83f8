"""Bare grpc.aio echo server: the baseline every other figure is divided by.

`python -m bench.echo --port 0 [--uvloop]` prints `READY <port>` once serving. Bytes in, same bytes out,
through a generic handler (no protobuf parsing), so it measures only what grpc.aio itself costs per call.
It also answers `grpc.health.v1.Health/Check` with SERVING (raw bytes) for the health-check helper.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import grpc

ECHO_SERVICE = "lienthong.bench.Echo"
ECHO_METHOD = f"/{ECHO_SERVICE}/Echo"
# HealthCheckResponse{status: SERVING} serialized by hand: field 1, varint, value 1.
_HEALTH_SERVING = b"\x08\x01"


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def _health_check(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return _HEALTH_SERVING


def _handlers() -> list[grpc.GenericRpcHandler]:
    return [
        grpc.method_handlers_generic_handler(
            ECHO_SERVICE, {"Echo": grpc.unary_unary_rpc_method_handler(_echo)}
        ),
        grpc.method_handlers_generic_handler(
            "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(_health_check)}
        ),
    ]


async def serve(host: str, port: int) -> None:
    # SO_REUSEPORT off: a stale server on the same port would otherwise silently take part of the traffic.
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers(_handlers())
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise SystemExit(f"echo: cannot bind {host}:{port}")
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {bound}", flush=True)
    await stop.wait()
    await server.stop(grace=0.5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.echo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed in READY)")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop instead of asyncio's loop")
    args = parser.parse_args(argv)
    if args.uvloop:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve(args.host, args.port))
    else:
        asyncio.run(serve(args.host, args.port))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
