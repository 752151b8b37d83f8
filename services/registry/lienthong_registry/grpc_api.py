"""gRPC servicer of the registry service: proto in, command to a handler, proto out."""

from lienthong.registry.v1 import registry_pb2_grpc


class RegistryService(registry_pb2_grpc.RegistryServiceServicer):
    """Methods not overridden yet answer UNIMPLEMENTED."""
