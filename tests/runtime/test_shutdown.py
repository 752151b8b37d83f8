"""SIGTERM during in-flight calls: they complete, new calls are refused, the process exits 0."""

import asyncio
import signal
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc

SCRIPT = Path(__file__).with_name("slow_server.py")


async def test_sigterm_drains_in_flight_calls_and_exits_zero(unix_socket):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        unix_socket,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
        assert line.strip() == b"READY"
        async with grpc.aio.insecure_channel(f"unix:{unix_socket}") as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            health = health_pb2_grpc.HealthStub(channel)
            serving = await health.Check(health_pb2.HealthCheckRequest())
            assert serving.status == health_pb2.HealthCheckResponse.SERVING
            in_flight = [
                asyncio.ensure_future(stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=10))
                for _ in range(5)
            ]
            await asyncio.sleep(0.5)  # the calls are now inside the servicer
            process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            refused = 0
            async with grpc.aio.insecure_channel(f"unix:{unix_socket}") as fresh:
                try:
                    await identity_pb2_grpc.IdentityServiceStub(fresh).GetJwks(
                        identity_pb2.GetJwksRequest(), timeout=3, wait_for_ready=False
                    )
                except grpc.aio.AioRpcError as error:
                    assert error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
                    refused = 1
            results = await asyncio.gather(*in_flight)
        assert all(r.jwks_json for r in results) and len(results) == 5
        assert refused == 1
        assert await asyncio.wait_for(process.wait(), timeout=15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
