"""Reflection answers under both protocol names and finds a method by its symbol.

The v1 client here is built only from what the server says about ``grpc.reflection.v1`` (its file descriptor,
fetched over v1alpha into a fresh pool), then checked against the published shape of that protocol."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection_pb2 as alpha

from lienthong.identity.v1 import identity_pb2_grpc
from lienthong_runtime.config import ServiceSettings
from lienthong_runtime.server import ServiceApp
from lienthong_runtime.testing import running

SERVICE = "lienthong.identity.v1.IdentityService"


@pytest.fixture
async def channel(unix_socket: str):
    app = ServiceApp(
        name="reflection-test",
        settings=ServiceSettings(),
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(
            identity_pb2_grpc.IdentityServiceServicer(), server
        ),
        service_names=[SERVICE],
    )
    async with running(app, unix_socket) as ch:
        yield ch


async def ask(channel: grpc.aio.Channel, service: str, request: Any, reply_type: Any) -> Any:
    call = channel.stream_stream(
        f"/{service}/ServerReflectionInfo",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=reply_type.FromString,
    )
    async for reply in call(iter([request]), timeout=5):
        return reply
    raise AssertionError("no reflection reply")


def files(reply: Any) -> list[descriptor_pb2.FileDescriptorProto]:
    return [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in reply.file_descriptor_response.file_descriptor_proto
    ]


async def test_v1alpha_finds_a_method_by_symbol(channel):
    reply = await ask(
        channel,
        "grpc.reflection.v1alpha.ServerReflection",
        alpha.ServerReflectionRequest(file_containing_symbol=f"{SERVICE}.IssueToken"),
        alpha.ServerReflectionResponse,
    )
    assert "lienthong/identity/v1/identity.proto" in [f.name for f in files(reply)]
    missing = await ask(
        channel,
        "grpc.reflection.v1alpha.ServerReflection",
        alpha.ServerReflectionRequest(file_containing_symbol=f"{SERVICE}.NoSuchMethod"),
        alpha.ServerReflectionResponse,
    )
    assert missing.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


async def test_v1_speaks_the_v1_protocol(channel):
    described = await ask(
        channel,
        "grpc.reflection.v1alpha.ServerReflection",
        alpha.ServerReflectionRequest(file_containing_symbol="grpc.reflection.v1.ServerReflection"),
        alpha.ServerReflectionResponse,
    )
    (v1_file,) = files(described)
    assert (v1_file.name, v1_file.package) == ("grpc/reflection/v1/reflection.proto", "grpc.reflection.v1")
    (method,) = v1_file.service[0].method
    assert method.client_streaming and method.server_streaming
    assert (method.input_type, method.output_type) == (
        ".grpc.reflection.v1.ServerReflectionRequest",
        ".grpc.reflection.v1.ServerReflectionResponse",
    )
    fields = {m.name: {f.name: f.number for f in m.field} for m in v1_file.message_type}
    assert fields["ServerReflectionRequest"] == {
        "host": 1,
        "file_by_filename": 3,
        "file_containing_symbol": 4,
        "file_containing_extension": 5,
        "all_extension_numbers_of_type": 6,
        "list_services": 7,
    }
    assert fields["ServerReflectionResponse"] == {
        "valid_host": 1,
        "original_request": 2,
        "file_descriptor_response": 4,
        "all_extension_numbers_response": 5,
        "list_services_response": 6,
        "error_response": 7,
    }

    pool = descriptor_pool.DescriptorPool()
    pool.Add(v1_file)
    request_type = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("grpc.reflection.v1.ServerReflectionRequest")
    )
    reply_type = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("grpc.reflection.v1.ServerReflectionResponse")
    )
    v1 = "grpc.reflection.v1.ServerReflection"
    listed = await ask(channel, v1, request_type(list_services=""), reply_type)
    names = {s.name for s in listed.list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health", v1, "grpc.reflection.v1alpha.ServerReflection"} <= names
    found = await ask(channel, v1, request_type(file_containing_symbol=f"{SERVICE}.IssueToken"), reply_type)
    assert "lienthong/identity/v1/identity.proto" in [f.name for f in files(found)]
    assert found.original_request.file_containing_symbol == f"{SERVICE}.IssueToken"
