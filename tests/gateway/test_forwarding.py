"""Forwarding: bytes pass through unchanged, metadata and deadlines propagate, upstream errors come back as they
were, cancellation reaches the upstream, streams work, and unknown methods never leave the gateway."""

import asyncio
import json
import os

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lienthong_runtime import metrics

from .conftest import (
    CHAT,
    GET_CITIZEN,
    GET_JWKS,
    GET_PAYMENT,
    READ,
    UPLOAD,
    WATCH,
    FakeUpstream,
    run_gateway,
    streaming_routes,
)

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_bytes_metadata_and_deadline_reach_the_upstream(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        metadata = (*mint.metadata([READ]), ("x-request-id", "req-123"), ("traceparent", TRACEPARENT))
        reply = await gw.unary(GET_CITIZEN)(b"\x0a\x03abc", metadata=metadata, timeout=4.0)
        assert reply == b"ok:a:\x0a\x03abc"
        assert upstream.calls[GET_CITIZEN] == 1
        seen = upstream.metadata[0]
        assert seen["x-request-id"] == "req-123"
        assert seen["traceparent"] == TRACEPARENT
        assert seen["authorization"].startswith("Bearer ")  # services verify again (defence in depth)
        assert 0 < upstream.deadlines[0] <= 4.1  # grpc-timeout is rounded up on the wire
    exposition = metrics.exposition().decode()
    assert 'grpc_code="OK",grpc_method="RegistryService/GetCitizen",service="gateway"' in exposition


async def test_a_request_id_is_generated_when_absent_and_the_call_is_audited(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        token = mint.token([READ], agency="agency-audit")
        await gw.unary(GET_CITIZEN)(b"x", metadata=(("authorization", f"Bearer {token}"),))
        rid = upstream.metadata[0]["x-request-id"]
        assert len(rid) >= 16
        assert 25 < upstream.deadlines[0] <= 30.5  # no deadline from the caller: the gateway's default
        with pytest.raises(grpc.aio.AioRpcError):
            await gw.unary(GET_CITIZEN)(b"x", metadata=(("x-request-id", "refused-1"),))
    text = open(os.path.join(socket_dir, "audit.jsonl")).read()
    accepted, refused = (json.loads(line) for line in text.strip().splitlines()[-2:])
    assert accepted["request_id"] == rid and accepted["code"] == "OK" and accepted["agency"] == "agency-audit"
    assert accepted["method"] == GET_CITIZEN and accepted["client"] == "client-agency-audit"
    assert accepted["latency_ms"] > 0
    assert refused["request_id"] == "refused-1" and refused["code"] == "UNAUTHENTICATED"
    assert token not in text and "Bearer" not in text and '"x"' not in text


async def test_upstream_status_message_and_details_come_back_unchanged(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await gw.unary(GET_CITIZEN)(b"fail", metadata=mint.metadata([READ]))
    error = caught.value
    assert error.code() == grpc.StatusCode.NOT_FOUND and error.details() == "no such citizen"
    status = rpc_status.from_call(error)
    info = error_details_pb2.ErrorInfo()
    status.details[0].Unpack(info)
    assert info.reason == "CITIZEN_NOT_FOUND" and info.metadata["citizen_id"] == "001"


async def test_cancelling_the_call_cancels_the_upstream_call(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        call = gw.unary(GET_CITIZEN)(b"hang", metadata=mint.metadata([READ]))
        for _ in range(200):
            if upstream.calls[GET_CITIZEN]:
                break
            await asyncio.sleep(0.01)
        call.cancel()
        await asyncio.wait_for(upstream.cancelled.wait(), timeout=5)


async def test_a_short_deadline_ends_upstream_work(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await gw.unary(GET_CITIZEN)(b"hang", metadata=mint.metadata([READ]), timeout=0.3)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        await asyncio.wait_for(upstream.cancelled.wait(), timeout=5)


async def test_each_block_goes_to_its_own_upstream(mint, socket_dir, upstream):
    identity = await FakeUpstream(os.path.join(socket_dir, "identity.sock"), "identity").start()
    try:
        async with run_gateway(
            mint, socket_dir, {"registry": [upstream.target], "identity": [identity.target]}
        ) as gw:
            assert await gw.unary(GET_JWKS)(b"") == b"ok:identity:"  # public: no token needed
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await gw.unary(GET_PAYMENT)(b"", metadata=mint.metadata(["payment.payments.read"]))
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert identity.calls[GET_JWKS] == 1 and sum(upstream.calls.values()) == 0
    finally:
        await identity.stop()


async def test_unknown_methods_are_unimplemented_and_never_forwarded(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        for method in ("/lienthong.registry.v1.RegistryService/DropTables", "/other.Service/Call"):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await gw.unary(method)(b"", metadata=mint.metadata([READ]))
            assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert sum(upstream.calls.values()) == 0


async def test_streams_are_forwarded_in_every_shape(mint, socket_dir, upstream):
    async with run_gateway(
        mint, socket_dir, {"registry": [upstream.target]}, routes=streaming_routes()
    ) as gw:
        metadata = mint.metadata([READ])
        replies = [m async for m in gw.channel.unary_stream(WATCH)(b"n", metadata=metadata)]
        assert replies == [b"n0", b"n1", b"n2"]

        async def messages():
            for word in (b"a", b"b"):
                yield word

        chat = gw.channel.stream_stream(CHAT)(messages(), metadata=metadata)
        assert [m async for m in chat] == [b"A", b"B"]
        assert await gw.channel.stream_unary(UPLOAD)(messages(), metadata=metadata) == b"a+b"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            [m async for m in gw.channel.unary_stream(WATCH)(b"n")]
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert upstream.calls[WATCH] == 1 and upstream.calls[CHAT] == 1 and upstream.calls[UPLOAD] == 1


async def test_cancelling_a_stream_cancels_the_upstream_stream(mint, socket_dir, upstream):
    async with run_gateway(
        mint, socket_dir, {"registry": [upstream.target]}, routes=streaming_routes()
    ) as gw:
        call = gw.channel.unary_stream(WATCH)(b"hang", metadata=mint.metadata([READ]))
        received = [await call.read() for _ in range(3)]
        assert received == [b"hang0", b"hang1", b"hang2"]
        call.cancel()
        await asyncio.wait_for(upstream.cancelled.wait(), timeout=5)


async def test_a_callers_forwarded_headers_never_reach_a_service(mint, socket_dir, upstream):
    """Issue #12, finding 2: the gateway passed the caller's x-forwarded-for on, and identity believed it."""
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        forged = (
            ("x-forwarded-for", "203.0.113.9"),
            ("x-real-ip", "203.0.113.9"),
            ("forwarded", "for=1.2.3.4"),
        )
        await gw.unary(GET_CITIZEN)(b"x", metadata=(*mint.metadata([READ]), *forged), timeout=4.0)
        seen = upstream.metadata[0]
        assert "203.0.113.9" not in seen.get("x-forwarded-for", "")  # the gateway writes its own
        assert "x-real-ip" not in seen and "forwarded" not in seen


def test_metadata_the_platform_cannot_carry_is_not_forwarded():
    """Issue #12, finding 5: a header value with a newline and a NUL failed the upstream call as INTERNAL."""
    from lienthong_gateway.forwarding import forwardable

    assert forwardable("x-custom", "plain value")
    assert forwardable("x-trace-bin", b"\x00\xff")
    for value in ("a\nb\x00c", "a\rb", "caf\u00e9", "a\tb", "\x7f", b"bytes-for-text-key"):
        assert not forwardable("x-custom", value)
    assert not forwardable("X-Upper", "v") and not forwardable("x-bin-text-bin", "text")
