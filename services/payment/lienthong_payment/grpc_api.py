"""gRPC servicer of the payment service: proto in, command to a handler, proto out."""

from lienthong.payment.v1 import payment_pb2_grpc


class PaymentService(payment_pb2_grpc.PaymentServiceServicer):
    """Methods not overridden yet answer UNIMPLEMENTED."""
