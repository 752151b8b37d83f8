"""Meta-tests over the whole contract: every RPC is served, guarded, and survives hostile bytes."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import descriptor_pool
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lienthong_runtime.contract import access_rule, contract_methods, contract_services, scope_catalogue

GARBAGE = b"\xff\xff\xff\xff\x0f garbage that is no protobuf"
# Field 1 as a 64-bit fixed value and field 2 as a group start: wrong wire types for nearly every request.
WRONG_TYPES = b"\x09\x01\x02\x03\x04\x05\x06\x07\x08\x12\x03abc\x1a\x02\xc3\xa9"


def _block(method: str) -> str:
    return method.split(".")[1]  # /lienthong.<block>.v1.Service/Method


def _reason(error: grpc.aio.AioRpcError) -> str:
    status = rpc_status.from_call(error)
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


def test_every_rpc_declares_access():
    methods = contract_methods()
    assert len(contract_services()) == 6 and len(methods) > 40
    missing = [m for m in methods if access_rule(m) is None]
    assert missing == []
    assert "platform.admin" in scope_catalogue()


async def test_every_rpc_is_registered_and_refuses_garbage(platform):
    channels, mint = platform
    token = mint.metadata(sorted(scope_catalogue()), agency="agency-meta", kind="client")
    for method in contract_methods():
        call = channels[_block(method)].unary_unary(method)
        service = descriptor_pool.Default().FindServiceByName(method[1:].split("/")[0])
        descriptor = service.methods_by_name[method.rsplit("/", 1)[1]]
        if descriptor.server_streaming:
            continue
        # A client stream's messages are decoded as the servicer reads them, after the token check.
        metadata = token if descriptor.client_streaming else ()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(GARBAGE, metadata=metadata, timeout=10)
        # INVALID_ARGUMENT from the pipeline proves the method is registered (an unknown one is UNIMPLEMENTED).
        assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT, method
        assert _reason(caught.value) == "MALFORMED_REQUEST", method


async def test_every_guarded_rpc_refuses_a_call_without_token(platform):
    channels, _ = platform
    for method in contract_methods():
        rule = access_rule(method)
        if rule.public:
            continue
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await channels[_block(method)].unary_unary(method)(b"", timeout=10)
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED, method


async def test_wrongly_typed_requests_never_crash_a_service(platform):
    channels, mint = platform
    metadata = mint.metadata(sorted(scope_catalogue()), agency="agency-meta", kind="client")
    unimplemented = []
    for method in contract_methods():
        service = descriptor_pool.Default().FindServiceByName(method[1:].split("/")[0])
        if service.methods_by_name[method.rsplit("/", 1)[1]].server_streaming:
            continue
        try:
            await channels[_block(method)].unary_unary(method)(WRONG_TYPES, metadata=metadata, timeout=10)
        except grpc.aio.AioRpcError as error:
            assert error.code() not in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN), (
                method,
                error.code(),
                error.details(),
            )
            if error.code() is grpc.StatusCode.UNIMPLEMENTED:
                unimplemented.append(method)
    # Every service must still answer health after the barrage.
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    for channel in channels.values():
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    assert unimplemented == [], "every RPC of the contract has a real servicer method"


async def test_services_refuse_a_token_once_identity_revokes_it(platform, tmp_path):
    """Defence in depth: each service applies identity's revocation events, not only the gateway."""
    import asyncio
    import time

    from google.protobuf import timestamp_pb2

    from lienthong.identity.v1 import events_pb2 as identity_events
    from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
    from lienthong_runtime.auth import Principal
    from lienthong_runtime.events import connect_bus, envelope

    channels, mint = platform
    token = mint.token(["registry.citizens.read"], agency="agency-revoked")
    metadata = (("authorization", f"Bearer {token}"),)
    registry = registry_pb2_grpc.RegistryServiceStub(channels["registry"])
    await registry.ListGrantedPurposes(registry_pb2.ListGrantedPurposesRequest(), metadata=metadata)
    import jwt

    claims = Principal.from_claims(jwt.decode(token, options={"verify_signature": False}))
    bus = connect_bus(f"memory://platform-{id(tmp_path)}")
    await bus.publish(
        envelope(
            "identity",
            identity_events.TokenRevoked(
                token_id=claims.token_id, expire_time=timestamp_pb2.Timestamp(seconds=int(claims.expires_at))
            ),
        )
    )
    deadline = time.monotonic() + 5
    while True:
        try:
            await registry.ListGrantedPurposes(registry_pb2.ListGrantedPurposesRequest(), metadata=metadata)
        except grpc.aio.AioRpcError as error:
            assert error.code() is grpc.StatusCode.UNAUTHENTICATED and _reason(error) == "TOKEN_REVOKED"
            break
        assert time.monotonic() < deadline, "the registry still accepts a revoked token"
        await asyncio.sleep(0.05)
