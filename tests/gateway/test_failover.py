"""Several replicas per block: round robin, a dead replica skipped after at most a few failures, and taken back
once it answers its health check again."""

import asyncio
import os

import grpc
import pytest

from .conftest import CREATE_CITIZEN, GET_CITIZEN, READ, FakeUpstream, run_gateway


async def _load(call, metadata, count: int, concurrency: int = 4) -> tuple[int, int]:
    """``count`` calls, ``concurrency`` at a time; returns (successes, failures)."""
    ok = failed = 0

    async def one() -> None:
        nonlocal ok, failed
        try:
            await call(b"x", metadata=metadata, timeout=5)
            ok += 1
        except grpc.aio.AioRpcError:
            failed += 1

    for _ in range(count // concurrency):
        await asyncio.gather(*(one() for _ in range(concurrency)))
    return ok, failed


async def test_round_robin_spreads_calls_over_replicas(mint, socket_dir, upstream):
    other = await FakeUpstream(os.path.join(socket_dir, "up-b.sock"), "b").start()
    try:
        async with run_gateway(mint, socket_dir, {"registry": [upstream.target, other.target]}) as gw:
            ok, failed = await _load(gw.unary(GET_CITIZEN), mint.metadata([READ]), 40)
        assert (ok, failed) == (40, 0)
        assert upstream.calls[GET_CITIZEN] == 20 and other.calls[GET_CITIZEN] == 20
    finally:
        await other.stop()


@pytest.mark.parametrize(
    ("method", "scope"), [(GET_CITIZEN, READ), (CREATE_CITIZEN, "registry.citizens.write")]
)
async def test_killing_a_replica_mid_load_costs_at_most_a_few_calls(
    method, scope, mint, socket_dir, upstream
):
    """Reads are retried once on the other replica (none fail); writes are not retried (a few may fail)."""
    path_b = os.path.join(socket_dir, "up-b.sock")
    other = await FakeUpstream(path_b, "b").start()
    try:
        async with run_gateway(mint, socket_dir, {"registry": [upstream.target, other.target]}) as gw:
            call, metadata = gw.unary(method), mint.metadata([scope])
            assert await _load(call, metadata, 40) == (40, 0)
            load = asyncio.create_task(_load(call, metadata, 400))
            while other.calls[method] < 40:  # the load is running on both replicas
                await asyncio.sleep(0.005)
            await other.stop()  # killed while calls are in flight
            _, failed = await load
            assert failed <= 4, f"{failed} calls failed after one of two replicas died"
            assert other.calls[method] < 220  # it was killed mid-load, not after
            before = upstream.calls[method]
            assert await _load(call, metadata, 100) == (100, 0)
            assert upstream.calls[method] == before + 100  # everything goes to the live replica

            revived = await FakeUpstream(path_b, "b").start()  # the replica comes back on the same address
            try:
                for _ in range(100):  # the health loop takes it back within about a second
                    await _load(call, metadata, 4)
                    if revived.calls[method]:
                        break
                    await asyncio.sleep(0.1)
                assert revived.calls[method] > 0
            finally:
                await revived.stop()
    finally:
        await other.stop()


async def test_a_dead_replica_is_skipped_by_the_health_loop_before_any_call(mint, socket_dir, upstream):
    dead = os.path.join(socket_dir, "never-started.sock")
    async with run_gateway(mint, socket_dir, {"registry": [f"unix:{dead}", upstream.target]}) as gw:
        replica = gw.gateway.upstreams.pools["registry"].replicas[0]
        for _ in range(100):
            if not replica.up:
                break
            await asyncio.sleep(0.05)
        assert not replica.up
        assert await _load(gw.unary(GET_CITIZEN), mint.metadata([READ]), 20, concurrency=2) == (20, 0)


async def test_a_service_answering_unavailable_itself_is_not_marked_down(mint, socket_dir, upstream):
    """The services' own UNAVAILABLE (with a google.rpc.Status) is an answer, not a dead replica."""
    from lienthong_gateway.forwarding import transport_failure
    from lienthong_runtime.status import error_status

    status = error_status(grpc.StatusCode.UNAVAILABLE, "provider down", "PROVIDER_UNAVAILABLE")
    answered = grpc.aio.AioRpcError(
        grpc.StatusCode.UNAVAILABLE,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(*status.trailing_metadata),
        "provider down",
    )
    dead = grpc.aio.AioRpcError(
        grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(), grpc.aio.Metadata(), "refused"
    )
    assert not transport_failure(answered) and transport_failure(dead)


async def test_a_replica_reporting_not_serving_is_skipped_then_taken_back(mint, socket_dir, upstream):
    from grpc_health.v1 import health_pb2

    other = await FakeUpstream(os.path.join(socket_dir, "up-b.sock"), "b").start()
    try:
        async with run_gateway(mint, socket_dir, {"registry": [upstream.target, other.target]}) as gw:
            replica = gw.gateway.upstreams.pools["registry"].replicas[1]
            await other.health.set("", health_pb2.HealthCheckResponse.NOT_SERVING)  # draining
            for _ in range(100):
                if not replica.up:
                    break
                await asyncio.sleep(0.05)
            before = other.calls[GET_CITIZEN]
            assert await _load(gw.unary(GET_CITIZEN), mint.metadata([READ]), 20) == (20, 0)
            assert other.calls[GET_CITIZEN] == before
            await other.health.set("", health_pb2.HealthCheckResponse.SERVING)
            for _ in range(100):
                if replica.up:
                    break
                await asyncio.sleep(0.05)
            assert await _load(gw.unary(GET_CITIZEN), mint.metadata([READ]), 20) == (20, 0)
            assert other.calls[GET_CITIZEN] > before
    finally:
        await other.stop()
