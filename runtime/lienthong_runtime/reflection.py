"""gRPC server reflection under both names, ``grpc.reflection.v1`` and ``grpc.reflection.v1alpha``, with lookup
of a method by its full symbol (``lienthong.identity.v1.IdentityService.IssueToken``).

grpcio-reflection serves only v1alpha, and tools that speak v1 (grpcurl, Postman, recent grpc-java and grpc-go
clients) get UNIMPLEMENTED. The two protocols are the same messages under two package names (v1 is the v1alpha
file renamed), so one servicer answers both: the v1 method is registered with the v1alpha message classes as
its (de)serializers, which is byte-for-byte what a v1 client sends and expects. The v1 file is also added to the
descriptor pool, so the v1 service describes itself like any other.

The protobuf descriptor pool finds files by message, field, enum and service names but not by method name,
which ``grpcurl describe pkg.Service.Method`` asks for; :class:`ReflectionServicer` falls back to the service.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha import reflection_pb2 as alpha
from grpc_reflection.v1alpha import reflection_pb2_grpc
from grpc_reflection.v1alpha._async import ReflectionServicer as _AsyncServicer  # = reflection.aio's

V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"
V1 = "grpc.reflection.v1.ServerReflection"
_V1_FILE = "grpc/reflection/v1/reflection.proto"


def _add_v1_file(pool: Any) -> None:
    """Add ``grpc/reflection/v1/reflection.proto`` to ``pool``: the v1alpha file under the v1 names."""
    try:
        pool.FindFileByName(_V1_FILE)
        return
    except KeyError:
        pass
    proto = descriptor_pb2.FileDescriptorProto()
    alpha.DESCRIPTOR.CopyToProto(proto)
    proto.name, proto.package = _V1_FILE, "grpc.reflection.v1"
    proto.options.Clear()
    for message in proto.message_type:
        for field in message.field:
            if field.HasField("type_name"):
                field.type_name = field.type_name.replace(".v1alpha.", ".v1.")
    for service in proto.service:
        for method in service.method:
            method.input_type = method.input_type.replace(".v1alpha.", ".v1.")
            method.output_type = method.output_type.replace(".v1alpha.", ".v1.")
    pool.Add(proto)


class ReflectionServicer(_AsyncServicer):  # type: ignore[misc]
    """grpcio-reflection's servicer, finding the file of a method symbol through its service."""

    def _file_containing_symbol(self, request: Any, fully_qualified_name: str) -> Any:
        try:
            self._pool.FindFileContainingSymbol(fully_qualified_name)
        except KeyError:
            service_name, _, method_name = fully_qualified_name.rpartition(".")
            try:
                service = self._pool.FindServiceByName(service_name)
            except KeyError:
                service = None
            if service is not None and method_name in service.methods_by_name:
                return super()._file_containing_symbol(request, service_name)
        return super()._file_containing_symbol(request, fully_qualified_name)


def enable_reflection(server: grpc.aio.Server, service_names: Iterable[str], pool: Any = None) -> None:
    """Serve reflection v1 and v1alpha on ``server``, listing ``service_names`` and both reflection services."""
    pool = pool or descriptor_pool.Default()
    _add_v1_file(pool)
    servicer = ReflectionServicer([*service_names, V1ALPHA, V1], pool=pool)
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
    v1 = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=alpha.ServerReflectionRequest.FromString,
        response_serializer=alpha.ServerReflectionResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(V1, {"ServerReflectionInfo": v1}),))
