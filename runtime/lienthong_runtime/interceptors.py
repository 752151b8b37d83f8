"""The server call pipeline: request id, authentication and authorization from the contract, error mapping,
one JSON access-log line and Prometheus metrics per call, and a clean status for undecodable requests."""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc

from . import metrics
from .access import authorization_header, authorize
from .auth import TokenVerifier, current_principal, set_principal
from .contract import access_rule
from .db_errors import database_unavailable
from .errors import DomainError, InvalidArgument
from .ids import new_id
from .request_context import current_request_id, current_traceparent, set_request_id, set_traceparent
from .status import domain_error_status, error_status, internal_status

log = logging.getLogger("lienthong.access")
errors_log = logging.getLogger("lienthong.errors")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

#: Infrastructure services every server offers without a token.
OPEN_SERVICES = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)


__all__ = ["OPEN_SERVICES", "CallPipeline", "current_request_id", "current_traceparent"]


class _Undecodable:
    """Marks a request body that failed to deserialize, so the pipeline can answer INVALID_ARGUMENT."""


_UNDECODABLE = _Undecodable()


def _safe_deserializer(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:
            return _UNDECODABLE

    return deserialize


class CallPipeline(grpc.aio.ServerInterceptor):
    """One interceptor for every cross-cutting concern, so their order is explicit and cheap.

    ``verifier`` None disables token checks (tests of a bare servicer); otherwise every method must carry the
    contract's access option, or the call is refused (fail closed).
    """

    def __init__(
        self, service: str, verifier: TokenVerifier | None = None, *, access_log: bool = True
    ) -> None:
        self.service = service
        self.verifier = verifier
        self.access_log = access_log
        self._metric_series: dict[tuple[str, str], tuple[Any, Any]] = {}

    async def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(details)
        if handler is None:
            return None
        method: str = details.method
        metadata = details.invocation_metadata or ()
        wrap = self._wrap_stream if handler.response_streaming else self._wrap_unary
        kind = ("stream_" if handler.request_streaming else "unary_") + (
            "stream" if handler.response_streaming else "unary"
        )
        behavior = getattr(handler, kind)
        return handler._replace(
            request_deserializer=_safe_deserializer(handler.request_deserializer),
            **{kind: wrap(method, metadata, behavior, handler.request_streaming)},
        )

    async def _authorize(self, method: str, metadata: Any) -> None:
        # The same admission as the gateway's (lienthong_runtime.access.authorize): one status and reason for
        # each refusal at either door.
        if self.verifier is None or method.startswith(OPEN_SERVICES):
            return
        set_principal(await authorize(access_rule(method), authorization_header(metadata), self.verifier))

    def _begin(self, metadata: Any) -> str:
        rid = ""
        for key, value in metadata:
            if key == "x-request-id" and isinstance(value, str) and _REQUEST_ID.match(value):
                rid = value
            elif key == "traceparent" and isinstance(value, str) and len(value) <= 128:
                set_traceparent(value)
        rid = rid or new_id()
        set_request_id(rid)
        set_principal(None)
        return rid

    async def _fail(self, context: Any, exc: BaseException, rid: str, method: str) -> str:
        if isinstance(exc, DomainError):
            status = domain_error_status(exc, rid)
        elif database_unavailable(exc):
            errors_log.warning("database unreachable", extra={"method": method, "request_id": rid})
            status = error_status(
                grpc.StatusCode.UNAVAILABLE,
                "the database is unreachable; retry shortly",
                "DATABASE_UNAVAILABLE",
                metadata={"request_id": rid},
            )
        elif isinstance(exc, NotImplementedError):  # a generated servicer base method not overridden yet
            status = error_status(
                grpc.StatusCode.UNIMPLEMENTED,
                "this method is not implemented yet",
                "NOT_IMPLEMENTED",
                metadata={"request_id": rid},
            )
        else:
            errors_log.error("unhandled error", exc_info=exc, extra={"method": method, "request_id": rid})
            status = internal_status(rid)
        await context.abort(status.code, status.details, status.trailing_metadata)
        raise AssertionError("unreachable")  # abort always raises

    def _series(self, method: str, code: str) -> tuple[Any, Any]:
        # Label lookups cost a few microseconds each; a call's series are resolved once per (method, code).
        key = (method, code)
        series = self._metric_series.get(key)
        if series is None:
            short = method.rsplit("/", 1)[-1]
            series = (
                metrics.RPC_CALLS.labels(self.service, short, code),
                metrics.RPC_LATENCY.labels(self.service, short),
            )
            self._metric_series[key] = series
        return series

    def _finish(self, method: str, code: str, started: float, rid: str) -> None:
        elapsed = time.perf_counter() - started
        counter, histogram = self._series(method, code)
        counter.inc()
        histogram.observe(elapsed)
        if self.access_log and log.isEnabledFor(logging.INFO):
            principal = current_principal()
            log.info(
                "rpc",
                extra={
                    "service": self.service,
                    "method": method,
                    "code": code,
                    "duration_ms": round(elapsed * 1000, 3),
                    "request_id": rid,
                    "agency": principal.agency_id if principal else "",
                    "client": principal.client_id if principal else "",
                },
            )

    def _wrap_unary(self, method: str, metadata: Any, behavior: Any, streaming_in: bool) -> Any:
        async def call(request: Any, context: Any) -> Any:
            started = time.perf_counter()
            rid = self._begin(metadata)
            code = "OK"
            try:
                request = _checked_stream(request) if streaming_in else request
                _check_decoded(request)
                await self._authorize(method, metadata)
                return await behavior(request, context)
            except grpc.aio.AbortError:
                code = _code_name(context)
                raise
            except Exception as exc:
                code = _error_code(exc)
                await self._fail(context, exc, rid, method)
            finally:
                self._finish(method, code, started, rid)

        return call

    def _wrap_stream(self, method: str, metadata: Any, behavior: Any, streaming_in: bool) -> Any:
        async def call(request: Any, context: Any) -> Any:
            started = time.perf_counter()
            rid = self._begin(metadata)
            code = "OK"
            try:
                request = _checked_stream(request) if streaming_in else request
                _check_decoded(request)
                await self._authorize(method, metadata)
                result = behavior(request, context)
                if inspect.isasyncgen(result):
                    async for item in result:
                        yield item
                else:
                    await result
            except grpc.aio.AbortError:
                code = _code_name(context)
                raise
            except Exception as exc:
                code = _error_code(exc)
                await self._fail(context, exc, rid, method)
            finally:
                self._finish(method, code, started, rid)

        return call


def _error_code(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.code
    if database_unavailable(exc):
        return "UNAVAILABLE"
    return "UNIMPLEMENTED" if isinstance(exc, NotImplementedError) else "INTERNAL"


def _check_decoded(request: Any) -> None:
    if request is _UNDECODABLE:
        raise InvalidArgument(
            "the request body could not be decoded as this method's request message",
            reason="MALFORMED_REQUEST",
        )


async def _checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """A client stream's messages; one that failed to decode is INVALID_ARGUMENT ``MALFORMED_REQUEST`` for every
    client-streaming method of every service (not each servicer's own check)."""
    async for message in requests:
        _check_decoded(message)
        yield message


def _code_name(context: Any) -> str:
    try:
        code = context.code()
    except Exception:
        return "UNKNOWN"
    if isinstance(code, grpc.StatusCode):
        return code.name
    return "UNKNOWN" if code is None else str(code)
