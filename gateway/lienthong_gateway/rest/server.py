"""The HTTP listener of the REST face: hypercorn serving HTTP/1.1 and HTTP/2 on one port.

Why hypercorn: the embedded mode (`make run`) has no HAProxy in front, and HTTP/2 clients (h2c with prior
knowledge or the ``Upgrade: h2c`` dance on plaintext; ALPN ``h2`` with TLS) must reach the REST face there too.
aiohttp, which the side servers use, speaks HTTP/1.1 only. hypercorn is a maintained ASGI server (h11 + h2)
that serves both on one socket with one application. The socket is bound here (port 0 works for tests) and
handed to hypercorn by file descriptor; `stop` lets in-flight requests finish for the grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config

log = logging.getLogger("lienthong.gateway.rest")


class RestServer:
    """Runs an ASGI app on ``host:port`` until :meth:`stop`."""

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        *,
        certfile: str | None = None,
        keyfile: str | None = None,
        grace: float = 5.0,
    ) -> None:
        self.app, self.host, self.requested_port = app, host, port
        self.certfile, self.keyfile, self.grace = certfile, keyfile, grace
        self.port = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it
        sock.bind((self.host, self.requested_port))
        sock.listen(1024)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        config = Config()
        config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the descriptor from here
        config.accesslog = None  # the gateway's audit line is the access log
        config.errorlog = log
        config.keep_alive_max_requests = (
            10_000_000  # a busy client connection is not closed every 1,000 calls
        )
        config.graceful_timeout = self.grace
        config.include_server_header = False
        if self.certfile and self.keyfile:
            config.certfile, config.keyfile = self.certfile, self.keyfile  # TLS with ALPN h2 / http/1.1
        self._task = asyncio.create_task(
            serve(self.app, config, shutdown_trigger=self._stop.wait, mode="asgi")
        )
        await asyncio.sleep(0)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, timeout=self.grace + 5)
