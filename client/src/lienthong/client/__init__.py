"""Helpers for calling Liên Thông from Python.

The generated stubs live next to this package (``lienthong.payment.v1`` and so on); this package adds what
every caller needs around them::

    import asyncio
    from lienthong.client import ClientCredentials, TokenSource, connect
    from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc

    async def main() -> None:
        creds = ClientCredentials("my-client-id", "my-secret", scopes=("payment.payments.write",))
        async with connect("localhost:50051") as bootstrap:           # token exchange (public RPC)
            tokens = TokenSource.from_client_credentials(bootstrap, creds)
            async with connect("localhost:50051", token_source=tokens) as channel:
                stub = payment_pb2_grpc.PaymentServiceStub(channel)
                reply = await stub.CreatePayment(payment_pb2.CreatePaymentRequest(...))

    asyncio.run(main())

* :func:`connect` / :func:`connect_sync`: channel factory with TLS, retry of UNAVAILABLE and a default
  deadline.
* :class:`TokenSource` / :class:`SyncTokenSource`: obtain and refresh access tokens from IdentityService.
* :func:`error_info`: the machine-readable reason (and field violations) of a failed call.
"""

from lienthong.client.auth import (
    AccessToken,
    AuthInterceptor,
    ClientCredentials,
    SyncAuthInterceptor,
    SyncTokenSource,
    TokenSource,
    is_public_method,
)
from lienthong.client.channel import (
    DEFAULT_TIMEOUT,
    RETRY_SERVICE_CONFIG,
    DefaultTimeoutInterceptor,
    SyncDefaultTimeoutInterceptor,
    channel_options,
    connect,
    connect_sync,
)
from lienthong.client.errors import ErrorDetails, FieldViolation, error_info

__all__ = [
    "DEFAULT_TIMEOUT",
    "RETRY_SERVICE_CONFIG",
    "AccessToken",
    "AuthInterceptor",
    "ClientCredentials",
    "DefaultTimeoutInterceptor",
    "ErrorDetails",
    "FieldViolation",
    "SyncAuthInterceptor",
    "SyncDefaultTimeoutInterceptor",
    "SyncTokenSource",
    "TokenSource",
    "channel_options",
    "connect",
    "connect_sync",
    "error_info",
    "is_public_method",
]
