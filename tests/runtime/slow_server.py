"""A server whose public method takes a while: run by test_shutdown.py as a subprocess."""

import asyncio
import sys

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong_runtime.config import ServiceSettings
from lienthong_runtime.server import ServiceApp, serve_all
from lienthong_runtime.testing import TokenMint


class SlowServicer(identity_pb2_grpc.IdentityServiceServicer):
    async def GetJwks(self, request, context):
        await asyncio.sleep(1.5)
        return identity_pb2.GetJwksResponse(jwks_json='{"keys": []}')


def main(socket_path: str) -> int:
    servicer = SlowServicer()
    settings = ServiceSettings(port=-1, unix_socket=socket_path, grace_period=10)
    app = ServiceApp(
        name="slow",
        settings=settings,
        verifier=TokenMint().verifier(),
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=["lienthong.identity.v1.IdentityService"],
    )
    return asyncio.run(serve_all([app], ready=lambda servers: print("READY", flush=True)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
