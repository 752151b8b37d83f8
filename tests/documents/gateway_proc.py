"""The gateway in its own process, for measuring its memory while a large attachment streams through it.

    python -m tests.documents.gateway_proc SOCKET UPSTREAM_TARGET RSS_FILE   (JWKS JSON in LIENTHONG_TEST_JWKS)

Prints "ready <resident set size>" once serving; samples its resident set every 10 ms while serving and, on
SIGTERM, writes the highest sample (bytes) to RSS_FILE.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import sys
import uuid

from lienthong_gateway.bootstrap import build_gateway
from lienthong_gateway.config import Settings
from lienthong_runtime.auth import KeySource
from lienthong_runtime.config import load_settings
from lienthong_runtime.server import Server
from lienthong_runtime.testing import TEST_AUDIENCE, TEST_ISSUER


async def main(socket: str, upstream: str, rss_file: str) -> None:
    settings = load_settings(
        Settings,
        host="127.0.0.1",
        port=-1,
        http_port=0,
        unix_socket=socket,
        upstreams={"documents": [upstream]},
        token_issuer=TEST_ISSUER,
        token_audience=TEST_AUDIENCE,
        bus_url=f"memory://gw-{uuid.uuid4().hex}",
        audit_path=os.devnull,
        redis_url="",
        health_interval=0.2,
    )
    gateway = await build_gateway(
        settings, keys=KeySource.from_jwks(json.loads(os.environ["LIENTHONG_TEST_JWKS"]))
    )
    server = Server(gateway.app)
    await server.start()
    start = rss()
    print(f"ready {start}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    peak = start
    while not stop.is_set():  # sample the resident set while serving
        peak = max(peak, rss())
        await asyncio.sleep(0.01)
    await server.stop(0)
    with open(rss_file, "w", encoding="utf-8") as out:
        out.write(str(peak))


def rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
