"""Channel factory: TLS optional, retry of UNAVAILABLE, a short reconnect backoff, keepalive, and a default
deadline on every call, as written in ``lienthong/service_config.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import grpc

from lienthong.client.auth import AuthInterceptor, SyncAuthInterceptor
from lienthong.client.calls import replace_aio_details, replace_sync_details

__all__ = [
    "CHANNEL_ARGUMENTS",
    "DEFAULT_TIMEOUT",
    "RETRY_SERVICE_CONFIG",
    "SERVICE_CONFIG",
    "DefaultTimeoutInterceptor",
    "SyncDefaultTimeoutInterceptor",
    "channel_options",
    "connect",
    "connect_sync",
    "per_kind",
    "replace_aio_details",
    "replace_sync_details",
]

#: Deadline in seconds applied to a call made without one. A call with no deadline can hang forever. The same
#: figure is each method's ``timeout`` in :data:`SERVICE_CONFIG` (the deadline other languages get from it).
DEFAULT_TIMEOUT = 30.0

#: The client policy as a gRPC service config, shipped in this package as ``lienthong/service_config.json`` so
#: that clients in any language can load the same file: per service, retry of UNAVAILABLE (server restarting,
#: connection refused, replica gone) with exponential backoff from 0.2 s to 2 s, at most 4 attempts in all,
#: and a 30 s deadline; retry throttling so that a fleet of clients does not multiply the load of an outage.
#: Only UNAVAILABLE is retried; creates and mutations carry idempotency keys, so a retried one is answered with
#: its first result.
#:
#: Its ``lienthongChannelArguments`` member (ignored by gRPC's service config parsers) lists the channel
#: arguments :func:`connect` sets beside it: a reconnect backoff of 0.2 s growing to 1 s (gRPC's default grows
#: from 1 s to 120 s: a client whose replica died and came back 8 s later waited up to 10 s more, measured in
#: the fault drills), and keepalive pings every 20 s (5 s to answer, also while idle) so that a dead
#: connection is noticed before the next call rather than by it.
SERVICE_CONFIG: dict[str, Any] = json.loads(
    resources.files("lienthong").joinpath("service_config.json").read_text(encoding="utf-8")
)
#: The service config proper, without the channel arguments (what ``grpc.service_config`` receives).
RETRY_SERVICE_CONFIG: dict[str, Any] = {
    key: value for key, value in SERVICE_CONFIG.items() if key != "lienthongChannelArguments"
}
#: Reconnect backoff and keepalive channel arguments, from the same file.
CHANNEL_ARGUMENTS: tuple[tuple[str, Any], ...] = tuple(SERVICE_CONFIG["lienthongChannelArguments"].items())


def channel_options(*, retry: bool = True, extra: Sequence[tuple[str, Any]] = ()) -> list[tuple[str, Any]]:
    """Channel arguments used by :func:`connect`: reconnect backoff and keepalive, the service config (retry
    policy, deadlines), then ``extra`` (which wins over the defaults)."""
    options: dict[str, Any] = dict(CHANNEL_ARGUMENTS)
    if retry:
        options |= {"grpc.enable_retries": 1, "grpc.service_config": json.dumps(RETRY_SERVICE_CONFIG)}
    else:
        options["grpc.enable_retries"] = 0
    # By key: gRPC takes the first of two arguments with the same name, so appending would not override.
    options |= dict(extra)
    return list(options.items())


class DefaultTimeoutInterceptor(
    grpc.aio.UnaryUnaryClientInterceptor,
    grpc.aio.UnaryStreamClientInterceptor,
    grpc.aio.StreamUnaryClientInterceptor,
    grpc.aio.StreamStreamClientInterceptor,
):
    """Gives every call without a deadline the default one (asyncio channels)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        if details.timeout is not None:
            return details
        return replace_aio_details(details, timeout=self.timeout)

    async def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(self._details(client_call_details), request)

    async def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(self._details(client_call_details), request)

    async def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(self._details(client_call_details), request_iterator)

    async def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(self._details(client_call_details), request_iterator)


class SyncDefaultTimeoutInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Gives every call without a deadline the default one (synchronous channels)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        if details.timeout is not None:
            return details
        return replace_sync_details(details, timeout=self.timeout)

    def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request_iterator)


def _credentials(tls: bool, root_certificates: bytes | None) -> grpc.ChannelCredentials | None:
    if not tls and root_certificates is None:
        return None
    return grpc.ssl_channel_credentials(root_certificates=root_certificates)


class _UnaryStreamPart(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await self.inner.intercept_unary_stream(continuation, client_call_details, request)


class _StreamUnaryPart(grpc.aio.StreamUnaryClientInterceptor):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await self.inner.intercept_stream_unary(continuation, client_call_details, request_iterator)


class _StreamStreamPart(grpc.aio.StreamStreamClientInterceptor):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await self.inner.intercept_stream_stream(continuation, client_call_details, request_iterator)


def per_kind(interceptor: grpc.aio.ClientInterceptor) -> list[grpc.aio.ClientInterceptor]:
    """One interceptor per call kind it implements.

    ``grpc.aio`` files an interceptor under the first kind it is an instance of (an ``elif`` chain), so one
    object implementing all four would only ever see unary-unary calls: streaming calls would go out without
    the token or the default deadline.
    """
    parts: list[grpc.aio.ClientInterceptor] = []
    if isinstance(interceptor, grpc.aio.UnaryUnaryClientInterceptor):
        parts.append(interceptor)
    kinds = (
        (grpc.aio.UnaryStreamClientInterceptor, _UnaryStreamPart),
        (grpc.aio.StreamUnaryClientInterceptor, _StreamUnaryPart),
        (grpc.aio.StreamStreamClientInterceptor, _StreamStreamPart),
    )
    for kind, part in kinds:
        if isinstance(interceptor, kind):
            parts.append(interceptor if not parts else part(interceptor))
    return parts


def connect(
    target: str,
    *,
    tls: bool = False,
    root_certificates: bytes | None = None,
    token_source: Any = None,
    default_timeout: float | None = DEFAULT_TIMEOUT,
    retry: bool = True,
    options: Sequence[tuple[str, Any]] = (),
    interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
) -> grpc.aio.Channel:
    """Open an asyncio channel to a Liên Thông endpoint (usually the gateway).

    Args:
        target: ``host:port``.
        tls: use TLS with the system roots (or ``root_certificates``, which implies TLS).
        token_source: a :class:`~lienthong.client.TokenSource`; when given, every non-public call carries
            ``authorization: Bearer <token>``.
        default_timeout: deadline in seconds for calls made without one; ``None`` disables it.
        retry: retry UNAVAILABLE with backoff (:data:`SERVICE_CONFIG`).
        options: extra channel arguments.
        interceptors: extra interceptors, run after the built-in ones.

    Use it as ``async with connect(...) as channel:`` or call ``await channel.close()``.
    """
    chain: list[grpc.aio.ClientInterceptor] = []
    if default_timeout is not None:
        chain.append(DefaultTimeoutInterceptor(default_timeout))
    if token_source is not None:
        chain.append(AuthInterceptor(token_source))
    chain.extend(interceptors)
    chain = [part for interceptor in chain for part in per_kind(interceptor)]
    opts = channel_options(retry=retry, extra=options)
    creds = _credentials(tls, root_certificates)
    if creds is None:
        return grpc.aio.insecure_channel(target, options=opts, interceptors=chain)
    return grpc.aio.secure_channel(target, creds, options=opts, interceptors=chain)


def connect_sync(
    target: str,
    *,
    tls: bool = False,
    root_certificates: bytes | None = None,
    token_source: Any = None,
    default_timeout: float | None = DEFAULT_TIMEOUT,
    retry: bool = True,
    options: Sequence[tuple[str, Any]] = (),
) -> grpc.Channel:
    """Synchronous twin of :func:`connect`; ``token_source`` is a
    :class:`~lienthong.client.SyncTokenSource`."""
    opts = channel_options(retry=retry, extra=options)
    creds = _credentials(tls, root_certificates)
    channel = (
        grpc.insecure_channel(target, options=opts)
        if creds is None
        else grpc.secure_channel(target, creds, options=opts)
    )
    chain: list[Any] = []
    if default_timeout is not None:
        chain.append(SyncDefaultTimeoutInterceptor(default_timeout))
    if token_source is not None:
        chain.append(SyncAuthInterceptor(token_source))
    return grpc.intercept_channel(channel, *chain) if chain else channel
