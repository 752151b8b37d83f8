"""Unit tests of the hand-written helper package lienthong.client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf import any_pb2

from lienthong.client import (
    AccessToken,
    ClientCredentials,
    SyncTokenSource,
    TokenSource,
    connect,
    error_info,
)
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc

# ---------------------------------------------------------------- token source


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeIssuer:
    """Issues tokens numbered tok-1, tok-2, ... valid for `lifetime` seconds; can be told to fail."""

    def __init__(self, clock: FakeClock, lifetime: float = 900.0) -> None:
        self.clock, self.lifetime, self.calls, self.fail = clock, lifetime, 0, False

    def issue(self) -> AccessToken:
        self.calls += 1
        if self.fail:
            raise ConnectionError("identity down")
        now = self.clock()
        return AccessToken(f"tok-{self.calls}", now + self.lifetime, now)

    async def aissue(self) -> AccessToken:
        await asyncio.sleep(0.01)  # let concurrent callers pile up
        return self.issue()


async def test_token_is_cached_until_close_to_expiry() -> None:
    clock = FakeClock()
    issuer = FakeIssuer(clock)
    source = TokenSource(issuer.aissue, refresh_margin=60, clock=clock)
    assert await source.token() == "tok-1"
    clock.now += 800  # 100 s left: still fine
    assert await source.token() == "tok-1"
    clock.now += 41  # 59 s left: refresh ahead of expiry
    assert await source.token() == "tok-2"
    assert issuer.calls == 2


async def test_short_lived_token_refreshes_at_half_life() -> None:
    clock = FakeClock()
    issuer = FakeIssuer(clock, lifetime=60)
    source = TokenSource(issuer.aissue, refresh_margin=60, clock=clock)
    await source.token()
    clock.now += 29
    assert await source.token() == "tok-1"
    clock.now += 1
    assert await source.token() == "tok-2"


async def test_concurrent_callers_share_one_fetch() -> None:
    clock = FakeClock()
    issuer = FakeIssuer(clock)
    source = TokenSource(issuer.aissue, clock=clock)
    tokens = await asyncio.gather(*(source.token() for _ in range(20)))
    assert set(tokens) == {"tok-1"}
    assert issuer.calls == 1


async def test_failed_refresh_keeps_valid_token_then_raises_once_expired() -> None:
    clock = FakeClock()
    issuer = FakeIssuer(clock)
    source = TokenSource(issuer.aissue, clock=clock)
    await source.token()
    issuer.fail = True
    clock.now += 870  # in the refresh window, not expired
    assert await source.token() == "tok-1"
    clock.now += 100  # expired
    with pytest.raises(ConnectionError):
        await source.token()


async def test_invalidate_forces_a_new_token() -> None:
    clock = FakeClock()
    issuer = FakeIssuer(clock)
    source = TokenSource(issuer.aissue, clock=clock)
    await source.token()
    source.invalidate()
    assert await source.token() == "tok-2"


def test_sync_token_source_refreshes() -> None:
    clock = FakeClock()
    issuer = FakeIssuer(clock)
    source = SyncTokenSource(issuer.issue, clock=clock)
    assert source.token() == "tok-1"
    assert source.token() == "tok-1"
    clock.now += 890
    assert source.token() == "tok-2"


def test_secrets_are_not_in_reprs() -> None:
    assert "s3cret" not in repr(ClientCredentials("id", "s3cret"))
    assert "eyJ" not in repr(AccessToken("eyJabc", 1.0, 0.0))


# ---------------------------------------------------------------- error_info


def _status_bytes() -> bytes:
    status_pb2 = pytest.importorskip("google.rpc.status_pb2")
    from google.rpc import error_details_pb2

    info = error_details_pb2.ErrorInfo(
        reason="IDEMPOTENCY_KEY_REUSED", domain="lienthong.vn", metadata={"idempotency_key": "k-1"}
    )
    bad = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field="amount_vnd", description="must be positive"),
            error_details_pb2.BadRequest.FieldViolation(field="reference", description="Tên không hợp lệ"),
        ]
    )
    details = []
    for message in (info, bad):
        packed = any_pb2.Any()
        packed.Pack(message)
        details.append(packed)
    return status_pb2.Status(code=3, message="bad request", details=details).SerializeToString()


class FakeRpcError(grpc.RpcError):
    def __init__(self, trailing: tuple[tuple[str, bytes | str], ...]) -> None:
        self._trailing = trailing

    def trailing_metadata(self) -> tuple[tuple[str, bytes | str], ...]:
        return self._trailing


@pytest.mark.parametrize("use_googleapis", [True, False], ids=["googleapis", "builtin-decoder"])
def test_error_info_reads_reason_and_violations(use_googleapis: bool) -> None:
    error = FakeRpcError((("x-other", "1"), ("grpc-status-details-bin", _status_bytes())))
    details = error_info(error, use_googleapis=use_googleapis)
    assert details is not None
    assert details.reason == "IDEMPOTENCY_KEY_REUSED"
    assert details.domain == "lienthong.vn"
    assert details.metadata == {"idempotency_key": "k-1"}
    assert [(v.field, v.description) for v in details.field_violations] == [
        ("amount_vnd", "must be positive"),
        ("reference", "Tên không hợp lệ"),
    ]
    assert details.code == 3


@pytest.mark.parametrize(
    "trailing",
    [(), (("grpc-status-details-bin", b"\xff\xff\xff"),), (("other", "x"),)],
    ids=["none", "garbage", "absent"],
)
def test_error_info_without_usable_details_is_none(trailing: tuple[tuple[str, bytes | str], ...]) -> None:
    assert error_info(FakeRpcError(trailing), use_googleapis=False) is None
    assert error_info(FakeRpcError(trailing)) is None


# ---------------------------------------------------------------- against a real in-process server


async def _sleep(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    """Sleeps `request` seconds, then answers the remaining deadline it saw (or 'none')."""
    remaining = context.time_remaining()
    await asyncio.sleep(float(request.decode() or 0))
    return b"none" if remaining is None else f"{remaining:.3f}".encode()


async def _whoami(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return dict(context.invocation_metadata()).get("authorization", "").encode()


async def _refuse(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    await context.abort(
        grpc.StatusCode.INVALID_ARGUMENT,
        "bad request",
        trailing_metadata=(("grpc-status-details-bin", _status_bytes()),),
    )
    return b""


class FakeIdentity(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self) -> None:
        self.requests: list[identity_pb2.IssueTokenRequest] = []
        self.saw_authorization: list[str] = []

    async def IssueToken(self, request, context):  # type: ignore[no-untyped-def]
        self.requests.append(request)
        self.saw_authorization.append(dict(context.invocation_metadata()).get("authorization", ""))
        return identity_pb2.IssueTokenResponse(
            access_token=f"jwt-{len(self.requests)}",
            token_type="Bearer",
            expires_in=900,
            scopes=request.scopes,
        )


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, FakeIdentity]]:
    srv = grpc.aio.server()
    handlers = {
        name: grpc.unary_unary_rpc_method_handler(fn)
        for name, fn in {"Sleep": _sleep, "WhoAmI": _whoami}.items()
    }
    handlers["Refuse"] = grpc.unary_unary_rpc_method_handler(_refuse)
    srv.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Echo", handlers),))
    identity = FakeIdentity()
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(identity, srv)
    port = srv.add_insecure_port("127.0.0.1:0")
    await srv.start()
    try:
        yield f"127.0.0.1:{port}", identity
    finally:
        await srv.stop(None)


async def test_default_deadline_applies_when_caller_gives_none(server: tuple[str, FakeIdentity]) -> None:
    target, _ = server
    async with connect(target, default_timeout=0.3) as channel:
        sleep = channel.unary_unary("/test.Echo/Sleep")
        seen = float(await sleep(b"0"))
        assert 0 < seen <= 0.3
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await sleep(b"1")
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        # An explicit timeout wins over the default.
        assert float(await sleep(b"0.5", timeout=5)) > 1


async def test_no_default_deadline_when_disabled(server: tuple[str, FakeIdentity]) -> None:
    target, _ = server
    async with connect(target, default_timeout=None) as channel:
        assert await channel.unary_unary("/test.Echo/Sleep")(b"0") == b"none"


async def test_token_source_from_client_credentials_and_bearer_metadata(
    server: tuple[str, FakeIdentity],
) -> None:
    target, identity = server
    creds = ClientCredentials("client-1", "secret-1", scopes=("payment.payments.read",))
    async with connect(target) as bootstrap:
        tokens = TokenSource.from_client_credentials(bootstrap, creds)
        async with connect(target, token_source=tokens) as channel:
            whoami = channel.unary_unary("/test.Echo/WhoAmI")
            assert await whoami(b"") == b"Bearer jwt-1"
            assert await whoami(b"") == b"Bearer jwt-1"  # cached
            # A public RPC through the authenticated channel carries no token.
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            await stub.IssueToken(identity_pb2.IssueTokenRequest(client_id="x", client_secret="y"))
    first = identity.requests[0]
    assert (first.client_id, first.client_secret, list(first.scopes)) == (
        "client-1",
        "secret-1",
        ["payment.payments.read"],
    )
    assert identity.saw_authorization == ["", ""]


async def test_error_info_from_a_real_call(server: tuple[str, FakeIdentity]) -> None:
    target, _ = server
    async with connect(target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await channel.unary_unary("/test.Echo/Refuse")(b"")
    details = error_info(caught.value)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details is not None and details.reason == "IDEMPOTENCY_KEY_REUSED"


async def test_streaming_calls_carry_the_token_and_the_default_deadline() -> None:
    """grpc.aio files an interceptor under one call kind only; the helper registers it for each kind."""
    seen: dict[str, tuple[str | None, float | None]] = {}

    def record(name: str, context: grpc.aio.ServicerContext) -> None:
        seen[name] = (dict(context.invocation_metadata()).get("authorization"), context.time_remaining())

    async def unary_stream(request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        record("unary_stream", context)
        yield b"x"

    async def stream_unary(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> bytes:
        record("stream_unary", context)
        return b"".join([r async for r in requests])

    async def stream_stream(
        requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[bytes]:
        record("stream_stream", context)
        async for request in requests:
            yield request

    handlers = {
        "US": grpc.unary_stream_rpc_method_handler(unary_stream),
        "SU": grpc.stream_unary_rpc_method_handler(stream_unary),
        "SS": grpc.stream_stream_rpc_method_handler(stream_stream),
    }
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("test.Streams", handlers)])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()

    async def fetch() -> AccessToken:
        now = time.time()
        return AccessToken("streaming-token", now + 3600, now)

    try:
        async with connect(
            f"127.0.0.1:{port}", token_source=TokenSource(fetch), default_timeout=30
        ) as channel:
            assert [m async for m in channel.unary_stream("/test.Streams/US")(b"a")] == [b"x"]
            assert await channel.stream_unary("/test.Streams/SU")(iter([b"a", b"b"])) == b"ab"
            assert [m async for m in channel.stream_stream("/test.Streams/SS")(iter([b"c"]))] == [b"c"]
    finally:
        await server.stop(0)
    for name, (authorization, remaining) in seen.items():
        assert authorization == "Bearer streaming-token", name
        assert remaining is not None and remaining <= 31, name  # the default deadline (no deadline: None)
