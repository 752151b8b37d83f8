"""Forwarding: a generic handler that passes request and response bytes through without parsing them.

For each contract method the gateway builds one handler (cached) of the method's streaming shape. A call is
admitted (token, contract rule, rate limit), then sent to a replica of its block with the caller's deadline,
request id, ``traceparent`` and other metadata; the upstream's answer (status code, message and trailing
metadata such as ``grpc-status-details-bin``) comes back unchanged. Cancelling the call cancels the upstream call.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import grpc

from lienthong_runtime import metrics
from lienthong_runtime.auth import Principal
from lienthong_runtime.errors import DomainError, Unavailable
from lienthong_runtime.forwarded import FORWARDED_FOR, FORWARDING_HEADERS, PROXY_SECRET, TrustedProxies
from lienthong_runtime.ids import new_id
from lienthong_runtime.status import STATUS_DETAILS_KEY, domain_error_status, internal_status

from .audit import AuditSink
from .auth import Authorizer
from .ratelimit import RateLimiter
from .routing import Route
from .upstreams import Pool, Upstreams

log = logging.getLogger("lienthong.gateway")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_UNAVAILABLE = grpc.StatusCode.UNAVAILABLE
_METADATA_KEY = re.compile(r"^[0-9a-z_.-]{1,128}$")
_METADATA_VALUE = re.compile(r"^[\x20-\x7e]{0,8192}$")


class Admission:
    """What the gateway learned about a call before forwarding it."""

    __slots__ = ("metadata", "principal", "request_id")

    def __init__(self) -> None:
        self.principal: Principal | None = None
        self.request_id = ""
        self.metadata: tuple[tuple[str, Any], ...] = ()


class Forwarder(grpc.GenericRpcHandler):
    """The gateway's generic RPC handler: every contract method, routed to its block's replicas."""

    def __init__(
        self,
        routes: Mapping[str, Route],
        upstreams: Upstreams,
        authorizer: Authorizer,
        limiter: RateLimiter,
        audit: AuditSink,
        *,
        retry_reads: bool = True,
        default_timeout: float = 30.0,
        proxies: TrustedProxies | None = None,
        streaming: Callable[[Forwarder, Route], grpc.RpcMethodHandler] | None = None,
    ) -> None:
        self.routes = routes
        self.upstreams = upstreams
        self.authorizer = authorizer
        self.limiter = limiter
        self.audit = audit
        self.retry_reads = retry_reads
        self.default_timeout = default_timeout
        #: Who may tell the gateway a caller's address (the front door), and the secret the gateway itself
        #: proves it is the platform's proxy with to the services.
        self.proxies = proxies or TrustedProxies()
        #: Builds the handler of a streaming route (``streams.build_streaming``, given by the composition root so
        #: that this module needs no import of ``streams``, which builds on it); without it streaming routes are
        #: not served (UNIMPLEMENTED).
        self.streaming = streaming
        self._handlers: dict[str, grpc.RpcMethodHandler | None] = {}
        self._series: dict[tuple[str, str], tuple[Any, Any]] = {}

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        method = handler_call_details.method
        try:
            return self._handlers[method]
        except KeyError:
            pass
        route = self.routes.get(method)
        handler = self._build(route) if route is not None else None
        if route is not None or len(self._handlers) < 10_000:  # unknown names are not cached without bound
            self._handlers[method] = handler
        return handler

    def _build(self, route: Route) -> grpc.RpcMethodHandler | None:
        if route.client_streaming or route.server_streaming:
            return self.streaming(self, route) if self.streaming is not None else None
        return grpc.unary_unary_rpc_method_handler(self._unary(route))

    def timeout(self, context: grpc.aio.ServicerContext) -> float:
        """The caller's remaining deadline, or the default one."""
        remaining = context.time_remaining()
        return self.default_timeout if remaining is None else remaining

    def pool(self, route: Route) -> Pool | None:
        return self.upstreams.pools.get(route.block)

    async def admit(self, route: Route, context: grpc.aio.ServicerContext, admission: Admission) -> None:
        """Stamp the request id, authenticate, authorize and rate-limit, filling ``admission`` as it goes (so a
        refusal is audited with its request id). Raises ``DomainError``."""
        await self.admit_metadata(route, context.invocation_metadata() or (), context.peer(), admission)

    async def admit_metadata(
        self, route: Route, metadata: Iterable[tuple[str, Any]], peer: str, admission: Admission
    ) -> None:
        """:meth:`admit` for a caller's metadata and ``peer`` address (``ipv4:host:port``) given directly: the
        REST face admits its HTTP requests here, so both faces apply one set of checks."""
        authorization = request_id = None
        outgoing: list[tuple[str, Any]] = []
        incoming = tuple(metadata)
        for key, value in incoming:
            if key == "x-request-id":
                request_id = value if isinstance(value, str) and _REQUEST_ID.match(value) else None
                continue
            if key == "authorization":
                authorization = value if isinstance(value, str) else None
            elif key == "user-agent" or key.startswith(("grpc-", ":")) or key in FORWARDING_HEADERS:
                continue  # forwarded headers are the gateway's to write, never the caller's
            elif not forwardable(key, value):
                continue  # metadata the platform cannot pass on is dropped, not turned into INTERNAL
            outgoing.append((key, value))
        request_id = admission.request_id = request_id or new_id()
        client = self.proxies.client_address(peer or "", incoming)
        outgoing.append((FORWARDED_FOR, client))
        if self.proxies.secret:
            outgoing.append((PROXY_SECRET, self.proxies.secret.decode()))
        principal = admission.principal = await self.authorizer.principal(route, authorization)
        if principal is None:
            await self.limiter.admit("", client, "anonymous")
        else:
            await self.limiter.admit(
                principal.agency_id, principal.client_id or principal.subject, route.method_class
            )
        outgoing.append(("x-request-id", request_id))
        admission.metadata = tuple(outgoing)

    def finish(self, route: Route, admission: Admission, code: str, started: float) -> None:
        """Write the call's audit record and count it in the Prometheus metrics."""
        principal, elapsed = admission.principal, time.perf_counter() - started
        if principal is None:
            self.audit.record(route.method, code, elapsed, admission.request_id)
        else:
            self.audit.record(
                route.method,
                code,
                elapsed,
                admission.request_id,
                principal.agency_id,
                principal.client_id,
                principal.subject,
            )
        series = self._series.get((route.method, code))
        if series is None:  # label lookups are resolved once per (method, code), not on every call
            name = route.method.rsplit(".", 1)[-1]  # Service/Method
            series = self._series[(route.method, code)] = (
                metrics.RPC_CALLS.labels("gateway", name, code),
                metrics.RPC_LATENCY.labels("gateway", name),
            )
        series[0].inc()
        series[1].observe(elapsed)

    async def refuse(self, context: grpc.aio.ServicerContext, exc: BaseException, request_id: str) -> None:
        """Abort with the gateway's own status for ``exc`` (never reaching an upstream)."""
        if isinstance(exc, DomainError):
            metrics.FRONT_DOOR_REFUSALS.labels(exc.reason).inc()
            status = domain_error_status(exc, request_id)
        else:
            log.error("gateway error", exc_info=exc, extra={"request_id": request_id})
            status = internal_status(request_id)
        await context.abort(status.code, status.details, status.trailing_metadata)

    async def relay_error(self, context: grpc.aio.ServicerContext, error: grpc.aio.AioRpcError) -> None:
        """Abort with the upstream's status, message and trailing metadata, unchanged."""
        trailing = tuple(error.trailing_metadata() or ())  # abort wants a tuple, not grpc.aio.Metadata
        await context.abort(error.code(), error.details() or "", trailing)  # type: ignore[arg-type]

    async def call_unary(
        self,
        pool: Pool,
        method: str,
        request: bytes,
        deadline: float,
        metadata: tuple[tuple[str, Any], ...],
        retry: bool,
    ) -> bytes:
        """One unary call to a replica of ``pool`` with ``deadline`` seconds left; a read (``retry``) whose
        replica is unreachable is tried once on another. Raises ``grpc.aio.AioRpcError`` with the upstream's
        status."""
        replica = pool.pick()
        try:
            try:
                return await replica.unary_unary(method)(request, timeout=deadline, metadata=metadata)
            except grpc.aio.AioRpcError as error:
                if not transport_failure(error):
                    raise
                replica.mark_down()
                other = pool.pick(avoid=replica) if retry else None
                if other is None or other is replica or not other.up:
                    raise
                replica = other
                return await replica.unary_unary(method)(request, timeout=deadline, metadata=metadata)
        except grpc.aio.AioRpcError as error:
            if transport_failure(error):
                replica.mark_down()
            raise

    def _unary(self, route: Route) -> Any:
        method, retry = route.method, self.retry_reads and route.method_class == "read"
        admit, finish, pool_of, call = self.admit, self.finish, self.pool, self.call_unary

        async def forward(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            started = time.perf_counter()
            admission = Admission()
            try:
                await admit(route, context, admission)
                pool = pool_of(route)
                if pool is None:
                    raise no_upstream(route)
            except Exception as exc:
                finish(route, admission, code_of(exc), started)
                await self.refuse(context, exc, admission.request_id)
                raise AssertionError("unreachable") from None
            try:
                response = await call(pool, method, request, self.timeout(context), admission.metadata, retry)
            except grpc.aio.AioRpcError as error:
                finish(route, admission, error.code().name, started)
                await self.relay_error(context, error)
            except asyncio.CancelledError:
                finish(route, admission, "CANCELLED", started)
                raise
            except Exception as exc:  # a client-side failure: INTERNAL without its text, not UNKNOWN with it
                finish(route, admission, "INTERNAL", started)
                await self.refuse(context, exc, admission.request_id)
            finish(route, admission, "OK", started)
            return response

        return forward


def transport_failure(error: grpc.aio.AioRpcError) -> bool:
    """UNAVAILABLE from the connection rather than from the service: the services' own UNAVAILABLE errors carry
    a ``google.rpc.Status`` in their trailers, a dead or unreachable replica's do not."""
    if error.code() is not _UNAVAILABLE:
        return False
    trailers: Any = error.trailing_metadata() or ()
    return not any(key == STATUS_DETAILS_KEY for key, _ in trailers)


def forwardable(key: str, value: Any) -> bool:
    """Whether a metadata entry can be passed upstream as it is: a lower-case token key, and for text keys a
    value of visible ASCII and spaces (RFC 9113 forbids NUL, CR and LF; gRPC allows only printable ASCII)."""
    if not _METADATA_KEY.match(key):
        return False
    if key.endswith("-bin"):
        return isinstance(value, bytes)
    return isinstance(value, str) and _METADATA_VALUE.match(value) is not None


def code_of(exc: BaseException) -> str:
    """The status name the audit records for an error raised before forwarding."""
    return exc.code if isinstance(exc, DomainError) else "INTERNAL"


def no_upstream(route: Route) -> DomainError:
    """The error for a block no upstream is configured for."""
    return Unavailable(f"no upstream configured for {route.block}", reason="UPSTREAM_NOT_CONFIGURED")
