"""The REST/JSON face: an ASGI application on the gateway's HTTP listener.

``/v1/...``       the contract's ``google.api.http`` routes, transcoded to the same gRPC calls the gRPC face
                  makes, admitted by the same code (:meth:`Forwarder.admit_metadata`: request id, token, scopes,
                  rate limit), audited and counted the same way (:meth:`Forwarder.finish`).
``/data/...``     the GovStack Digital Registries Data API of the citizen registry (:mod:`.govstack`).
``/oauth2/...``,
``/.well-known/`` passed to identity's HTTP server (token endpoint, metadata, JWKS).
``/openapi.json`` the OpenAPI 3.1 document generated from the contract.

Request ids: a well-formed ``x-request-id`` is kept, else one is made; it is sent upstream and returned in the
``x-request-id`` response header. ``traceparent`` / ``tracestate`` pass through as gRPC metadata.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from lienthong_runtime.auth import Principal

from ..forwarding import Admission, Forwarder, code_of, no_upstream
from .problems import Response, error_response, route_error, status_response
from .rules import RestRoute, RouteTable
from .transcode import build_request

log = logging.getLogger("lienthong.gateway.rest")

#: HTTP headers passed to the upstream call as gRPC metadata (everything else stays at the edge).
FORWARDED_HEADERS = (b"authorization", b"x-request-id", b"traceparent", b"tracestate")
_JSON_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
Handler = Callable[[dict[str, Any], bytes], Awaitable[Response]]


class RestApp:
    """ASGI application serving the REST face, the OpenAPI document and the identity HTTP proxy."""

    def __init__(
        self,
        forwarder: Forwarder,
        table: RouteTable,
        *,
        openapi: bytes,
        proxy: Any = None,
        extra: dict[str, Handler] | None = None,
        max_body: int = 8 * 1024 * 1024,
    ) -> None:
        self.forwarder = forwarder
        self.table = table
        self.openapi = openapi
        self.proxy = proxy
        self.extra = extra or {}  # path prefix -> handler (GovStack routes)
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The ASGI entry point (HTTP/2 connections, served by hypercorn)."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            body = await _read_body(receive, self.max_body)
        except ValueError:
            await _send(send, too_large())
            return
        await _send(send, await self.dispatch(scope, body))

    async def dispatch(self, scope: dict[str, Any], body: bytes) -> Response:
        """Answer one request given as an ASGI-shaped ``scope`` and its whole body (both servers call this)."""
        path: str = scope["path"]
        if path.startswith("/v1/"):
            return await self.transcode(scope, body)
        if path.startswith(("/oauth2/", "/.well-known/")) and self.proxy is not None:
            return await self.proxy(scope, body)  # type: ignore[no-any-return]
        if path in ("/openapi.json", "/openapi"):
            return 200, self.openapi, [(b"content-type", b"application/json")]
        handler = next((h for prefix, h in self.extra.items() if path.startswith(prefix)), None)
        if handler is not None:
            return await handler(scope, body)
        return route_error(404, grpc.StatusCode.NOT_FOUND, f"no route for {path}", "ROUTE_NOT_FOUND", "")

    async def transcode(self, scope: dict[str, Any], body: bytes) -> Response:
        """Match a ``/v1`` route, then admit, transcode, call and answer as the gRPC face would."""
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.split(b"?", 1)[0].decode("latin-1")
        rest, variables, known = self.table.match(scope["method"], path)
        if rest is None:
            if known:
                return route_error(
                    405,
                    grpc.StatusCode.UNIMPLEMENTED,
                    f"{scope['method']} is not allowed on {path}",
                    "HTTP_METHOD_NOT_ALLOWED",
                    "",
                )
            return route_error(404, grpc.StatusCode.NOT_FOUND, f"no route for {path}", "ROUTE_NOT_FOUND", "")
        return await self.call(rest, scope, variables, scope.get("query_string", b"").decode("latin-1"), body)

    async def call(
        self, rest: RestRoute, scope: dict[str, Any], variables: dict[str, str], query: str, body: bytes
    ) -> Response:
        """One transcoded call: the reply as proto3 JSON, or the error in the AIP-193 shape."""
        result = await self.invoke(rest, scope, lambda: build_request(rest, variables, query, body))
        if not isinstance(result, Reply):
            return result
        return json_response(200, json_format.MessageToDict(result.message), result.request_id)

    async def invoke(
        self, rest: RestRoute, scope: dict[str, Any], build: Callable[[], Message]
    ) -> Reply | Response:
        """Admit the caller for ``rest``'s RPC, build its request (``build`` raises ``DomainError`` for caller
        mistakes), call it, audit it. Returns the reply, or the error ``Response``."""
        forwarder, route = self.forwarder, rest.route
        started = time.perf_counter()
        admission = Admission()
        metadata, deadline = _metadata(scope)
        try:
            await forwarder.admit_metadata(route, metadata, _peer(scope), admission)
            request = build()
            pool = forwarder.pool(route)
            if pool is None:
                raise no_upstream(route)
        except Exception as exc:
            forwarder.finish(route, admission, code_of(exc), started)
            return _with_id(error_response(exc, admission.request_id), admission.request_id)
        retry = forwarder.retry_reads and route.method_class == "read"
        try:
            reply = await forwarder.call_unary(
                pool,
                route.method,
                request.SerializeToString(),
                deadline or forwarder.default_timeout,
                admission.metadata,
                retry,
            )
            payload = rest.response_type.FromString(reply)
        except grpc.aio.AioRpcError as error:
            forwarder.finish(route, admission, error.code().name, started)
            trailing: Any = error.trailing_metadata()
            response = status_response(error.code(), error.details() or "", trailing)
            return _with_id(response, admission.request_id)
        except Exception as exc:
            log.error("rest call failed", exc_info=exc, extra={"request_id": admission.request_id})
            forwarder.finish(route, admission, "INTERNAL", started)
            return _with_id(error_response(exc, admission.request_id), admission.request_id)
        forwarder.finish(route, admission, "OK", started)
        return Reply(payload, admission.request_id, admission.principal)


def too_large() -> Response:
    return route_error(413, grpc.StatusCode.INVALID_ARGUMENT, "request body too large", "BODY_TOO_LARGE", "")


@dataclass(frozen=True)
class Reply:
    """A successful call's reply message and the request id it ran under."""

    message: Any
    request_id: str
    principal: Principal | None = None


def json_response(status: int, value: Any, request_id: str) -> Response:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return status, body, [*_JSON_HEADERS, (b"x-request-id", request_id.encode())]


def _metadata(scope: dict[str, Any]) -> tuple[list[tuple[str, str]], float | None]:
    """The forwarded headers as gRPC metadata, and the caller's ``x-server-timeout`` (seconds) if any."""
    metadata: list[tuple[str, str]] = []
    deadline = None
    for name, value in scope["headers"]:
        if name in FORWARDED_HEADERS:
            metadata.append((name.decode(), value.decode("latin-1")))
        elif name == b"x-server-timeout":
            try:
                deadline = min(max(float(value), 0.001), 300.0)
            except ValueError:
                deadline = None
    return metadata, deadline


def _peer(scope: dict[str, Any]) -> str:
    """The caller's address in gRPC's peer form (``ipv4:10.0.0.1:5123``), for the anonymous rate limit."""
    client = scope.get("client")
    if not client:
        return "unknown"
    host, port = client[0], client[1]
    return f"ipv6:[{host}]:{port}" if ":" in host else f"ipv4:{host}:{port}"


def _with_id(response: Response, request_id: str) -> Response:
    status, body, headers = response
    return status, body, [*headers, (b"x-request-id", request_id.encode())] if request_id else headers


async def _read_body(receive: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ValueError("body too large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Any, response: Response) -> None:
    status, body, headers = response
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
