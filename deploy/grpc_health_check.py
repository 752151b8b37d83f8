"""Container health check: exit 0 when a gRPC server reports SERVING (``grpc.health.v1``), 1 otherwise.

    python /opt/lienthong/bin/grpc_health_check.py 127.0.0.1:50062 [service-name]

Used by docker compose (Kubernetes uses its native ``grpc`` probe instead). Needs no shell and no
grpc_health_probe binary: only the packages the image already has.
"""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def check(target: str, service: str = "", timeout: float = 3.0) -> bool:
    """Whether the server at ``target`` reports SERVING for ``service`` ('' = the whole server)."""
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    return 0 if check(argv[1], argv[2] if len(argv) == 3 else "") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
