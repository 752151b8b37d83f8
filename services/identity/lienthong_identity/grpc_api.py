"""gRPC servicer of the identity service: proto in, command to a handler, proto out."""

from lienthong.identity.v1 import identity_pb2_grpc


class IdentityService(identity_pb2_grpc.IdentityServiceServicer):
    """Methods not overridden yet answer UNIMPLEMENTED."""
