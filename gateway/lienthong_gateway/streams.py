"""Forwarding of streaming methods (server, client and bidirectional streams), bytes in and bytes out.

The caller's request stream is handed to the upstream call as is, and the upstream's responses are yielded back
one by one; a failure of the upstream ends the caller's stream with the upstream's status. Streams are not
retried on another replica (part of them may already have been delivered).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import grpc

from .forwarding import Admission, Forwarder, code_of, no_upstream, transport_failure
from .routing import Route


def build_streaming(forwarder: Forwarder, route: Route) -> grpc.RpcMethodHandler:
    """The method handler of a streaming route."""

    async def start(context: grpc.aio.ServicerContext, request: Any) -> tuple[Any, Any, Admission, float]:
        started = time.perf_counter()
        admission = Admission()
        try:
            await forwarder.admit(route, context, admission)
            pool = forwarder.pool(route)
            if pool is None:
                raise no_upstream(route)
        except Exception as exc:
            forwarder.finish(route, admission, code_of(exc), started)
            await forwarder.refuse(context, exc, admission.request_id)
            raise AssertionError("unreachable") from None
        replica = pool.pick()
        callable_ = replica.streaming(route.method, route.client_streaming, route.server_streaming)
        call = callable_(request, timeout=forwarder.timeout(context), metadata=admission.metadata)
        return call, replica, admission, started

    async def fail(
        context: grpc.aio.ServicerContext,
        replica: Any,
        admission: Admission,
        started: float,
        error: grpc.aio.AioRpcError,
    ) -> None:
        if transport_failure(error):
            replica.mark_down()
        forwarder.finish(route, admission, error.code().name, started)
        await forwarder.relay_error(context, error)

    async def response_stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        call, replica, admission, started = await start(context, request)
        try:
            async for message in call:
                yield message
        except grpc.aio.AioRpcError as error:
            await fail(context, replica, admission, started, error)
        except (asyncio.CancelledError, GeneratorExit):
            call.cancel()
            forwarder.finish(route, admission, "CANCELLED", started)
            raise
        forwarder.finish(route, admission, "OK", started)

    async def single_response(request: Any, context: grpc.aio.ServicerContext) -> bytes:
        call, replica, admission, started = await start(context, request)
        try:
            response = await call
        except grpc.aio.AioRpcError as error:
            await fail(context, replica, admission, started, error)
            raise AssertionError("unreachable") from None
        except asyncio.CancelledError:
            call.cancel()
            forwarder.finish(route, admission, "CANCELLED", started)
            raise
        forwarder.finish(route, admission, "OK", started)
        return response

    if route.client_streaming and route.server_streaming:
        return grpc.stream_stream_rpc_method_handler(response_stream)
    if route.client_streaming:
        return grpc.stream_unary_rpc_method_handler(single_response)
    return grpc.unary_stream_rpc_method_handler(response_stream)
