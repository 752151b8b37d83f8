"""The HTTP listener of the REST face: HTTP/1.1 and HTTP/2 on one port.

Each new connection is sniffed: one that opens with the HTTP/2 connection preface (h2c with prior knowledge, or
ALPN ``h2`` under TLS) is handed to hypercorn's HTTP/2 server; any other is HTTP/1.1, handed to aiohttp's
low-level server. Why two engines, measured on the bench (GetCitizen, 16 concurrent requests, 2 vCPU):
aiohttp's C parser serves HTTP/1.1 at about the rate of gRPC through the same gateway, while hypercorn's pure
Python h11/h2 stacks reach about 0.3-0.45 of it. HTTP/1.1 is what agency systems' HTTP clients and the
production engine's backend connections speak, so it takes the fast path; HTTP/2 still works everywhere,
including the embedded mode where no HAProxy stands in front. The ``Upgrade: h2c`` dance is not offered (an
HTTP/1.1 request with it gets an HTTP/1.1 answer, which RFC 9113 allows; h2c prior knowledge works).

hypercorn is driven through its asyncio ``TCPServer`` (the class its own ``serve`` uses per connection), so
its version is bounded in pyproject.toml; ``tests/gateway/test_rest.py`` runs both protocols.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from typing import Any

from aiohttp import web
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config
from hypercorn.utils import wrap_app

from .app import RestApp, too_large
from .problems import error_response

log = logging.getLogger("lienthong.gateway.rest")

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class _Sniffer(asyncio.Protocol):
    """Buffers a connection's first bytes until they tell HTTP/2 from HTTP/1.1, then hands the transport over."""

    def __init__(self, server: RestServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) < len(PREFACE) and PREFACE.startswith(self.buffer):
            return  # could still be the HTTP/2 preface
        assert self.transport is not None
        protocol = self.server.h2_protocol() if self.buffer.startswith(PREFACE) else self.server.h1_protocol()
        self.transport.set_protocol(protocol)
        protocol.connection_made(self.transport)
        protocol.data_received(self.buffer)
        self.buffer = b""

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.buffer = b""


class RestServer:
    """Runs a :class:`RestApp` on ``host:port`` until :meth:`stop`."""

    def __init__(
        self,
        app: RestApp,
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
        self._server: asyncio.AbstractServer | None = None
        self._h1 = web.Server(self._handle, access_log=None)
        config = Config()
        config.accesslog = None  # the gateway's audit line is the access log
        config.errorlog = log
        config.keep_alive_max_requests = 10_000_000  # a busy connection is not closed every 1,000 requests
        config.include_server_header = False
        self._h2_config = config
        asgi: Any = app  # an ASGI callable; hypercorn's type names its exact event unions
        self._h2_app = wrap_app(asgi, config.wsgi_max_body_size, "asgi")
        self._h2_context = WorkerContext(None)
        self._h2_tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it
        sock.bind((self.host, self.requested_port))
        sock.listen(1024)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        context = None
        if self.certfile and self.keyfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certfile, self.keyfile)
            context.set_alpn_protocols(["h2", "http/1.1"])
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Sniffer(self), sock=sock, ssl=context)

    def h1_protocol(self) -> asyncio.Protocol:
        return self._h1()  # type: ignore[no-any-return]

    def h2_protocol(self) -> asyncio.Protocol:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2**16)

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            server = TCPServer(self._h2_app, loop, self._h2_config, self._h2_context, {}, reader, writer)
            task = loop.create_task(server.run())
            self._h2_tasks.add(task)
            task.add_done_callback(self._h2_tasks.discard)

        return asyncio.StreamReaderProtocol(reader, connected)

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """An HTTP/1.1 request from aiohttp, answered by the same :meth:`RestApp.dispatch` as HTTP/2."""
        limit = self.app.max_body
        if request.content_length is not None and request.content_length > limit:
            status, out, headers = too_large()
        else:
            body = await request.content.read(limit + 1)
            if len(body) > limit:
                status, out, headers = too_large()
            else:
                peer = request.transport.get_extra_info("peername") if request.transport else None
                scope = {
                    "type": "http",
                    "method": request.method,
                    "scheme": "https" if request.secure else "http",
                    "path": request.path,
                    "raw_path": request.raw_path.split("?", 1)[0].encode("latin-1"),
                    "query_string": request.rel_url.raw_query_string.encode("latin-1"),  # still %-encoded
                    "headers": [(name.lower(), value) for name, value in request.raw_headers],
                    "client": peer[:2] if peer else None,
                }
                try:
                    status, out, headers = await self.app.dispatch(scope, body)
                except Exception as exc:  # never aiohttp's bare 500 page: INTERNAL in the AIP-193 shape
                    log.error("rest request failed", exc_info=exc)
                    status, out, headers = error_response(exc, "")
        response = web.Response(status=status, body=out, headers={"Server": "lienthong"})  # no version banner
        for name, value in headers:
            response.headers.add(name.decode("latin-1"), value.decode("latin-1"))
        return response

    async def stop(self) -> None:
        """Stop accepting, let in-flight requests finish for the grace period, then close what is left."""
        if self._server is not None:
            self._server.close()
        with contextlib.suppress(Exception):
            await self._h1.shutdown(self.grace)
        if self._h2_tasks:
            _, pending = await asyncio.wait(set(self._h2_tasks), timeout=min(self.grace, 1.0))
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
