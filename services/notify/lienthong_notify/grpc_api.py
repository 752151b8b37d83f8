"""gRPC servicer of the notify service: proto in, command to a handler, proto out."""

from lienthong.notify.v1 import notify_pb2_grpc


class NotifyService(notify_pb2_grpc.NotifyServiceServicer):
    """Methods not overridden yet answer UNIMPLEMENTED."""
