"""Rate limits per client and per agency: a client over budget is refused with RetryInfo, the other clients of its
agency keep their own budget, other agencies are untouched (with the shared Redis bucket and with the local
fallback alike). Two gateway replicas run in-process on one Redis and share one budget; two replicas whose
Redis is unreachable (a closed port) each enforce their share of it (budget / ``replicas``). The tests that need
Redis use the local server (``LIENTHONG_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/0``) and are skipped
without one."""

import os
import uuid

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from .conftest import GET_CITIZEN, READ, run_gateway

REDIS_URL = os.environ.get("LIENTHONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SLOW = 0.001  # tokens per second: nothing refills during a test


def _limits(client_burst: float, agency_burst: float) -> dict:
    client, agency = {"rate": SLOW, "burst": client_burst}, {"rate": SLOW, "burst": agency_burst}
    plenty = {"rate": 1e6, "burst": 1e6}
    return {"client": {"read": client, "write": plenty}, "agency": {"read": agency, "write": plenty}}


@pytest.fixture
async def redis_url():
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        await client.ping()
    except Exception as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({type(exc).__name__}); set LIENTHONG_TEST_REDIS_URL")
    finally:
        await client.aclose()
    return REDIS_URL


async def _calls(
    call, mint, count: int, *, agency: str, client: str
) -> tuple[int, list[grpc.aio.AioRpcError]]:
    metadata = mint.metadata([READ], agency=agency, subject=client)
    ok, refused = 0, []
    for _ in range(count):
        try:
            await call(b"x", metadata=metadata)
            ok += 1
        except grpc.aio.AioRpcError as error:
            refused.append(error)
    return ok, refused


def _retry_delay(error: grpc.aio.AioRpcError) -> float:
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return info.retry_delay.seconds + info.retry_delay.nanos / 1e9
    raise AssertionError("no RetryInfo in the status details")


async def _check_budgets(gw, mint, upstream) -> None:
    call = gw.unary(GET_CITIZEN)
    ok, refused = await _calls(call, mint, 8, agency="agency-a", client="greedy")
    assert ok == 5 and len(refused) == 3  # its own budget, no more
    assert {e.code() for e in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert _retry_delay(refused[0]) > 0
    ok, refused = await _calls(call, mint, 5, agency="agency-a", client="polite")
    assert (ok, refused) == (5, [])  # the greedy client's refused calls did not eat the agency's budget
    ok, refused = await _calls(call, mint, 5, agency="agency-a", client="late")
    assert ok == 2 and len(refused) == 3  # now the agency's budget (12) is spent
    ok, refused = await _calls(call, mint, 5, agency="agency-b", client="other")
    assert (ok, refused) == (5, [])  # another agency is untouched
    assert upstream.calls[GET_CITIZEN] == 17


async def test_budgets_with_the_shared_redis_bucket(mint, socket_dir, upstream, redis_url):
    prefix = f"lt-test:{uuid.uuid4().hex}"
    async with run_gateway(
        mint,
        socket_dir,
        {"registry": [upstream.target]},
        redis_url=redis_url,
        rate_limit_prefix=prefix,
        rate_limits=_limits(5, 12),
    ) as gw:
        await _check_budgets(gw, mint, upstream)


async def test_budgets_with_the_local_fallback(mint, socket_dir, upstream):
    async with run_gateway(
        mint, socket_dir, {"registry": [upstream.target]}, redis_url="", rate_limits=_limits(5, 12)
    ) as gw:
        await _check_budgets(gw, mint, upstream)


async def test_the_budget_holds_across_two_gateway_replicas(mint, socket_dir, upstream, redis_url):
    settings = {
        "redis_url": redis_url,
        "rate_limit_prefix": f"lt-test:{uuid.uuid4().hex}",
        "rate_limits": _limits(6, 100),
    }
    targets = {"registry": [upstream.target]}
    async with (
        run_gateway(mint, socket_dir, targets, **settings) as one,
        run_gateway(
            mint, socket_dir, targets, unix_socket=os.path.join(socket_dir, "gw2.sock"), **settings
        ) as two,
    ):
        ok = 0
        for index in range(12):
            gw = one if index % 2 else two
            done, _ = await _calls(gw.unary(GET_CITIZEN), mint, 1, agency="agency-x", client="c")
            ok += done
    assert ok == 6


async def test_unreachable_redis_falls_back_to_a_split_local_budget(mint, socket_dir, upstream):
    settings = {"redis_url": "redis://127.0.0.1:1/0", "replicas": 2, "rate_limits": _limits(10, 100)}
    targets = {"registry": [upstream.target]}
    async with (
        run_gateway(mint, socket_dir, targets, **settings) as one,
        run_gateway(
            mint, socket_dir, targets, unix_socket=os.path.join(socket_dir, "gw2.sock"), **settings
        ) as two,
    ):
        refused: list[grpc.aio.AioRpcError] = []
        admitted = {"one": 0, "two": 0}
        for index in range(16):
            name, gw = ("one", one) if index % 2 else ("two", two)
            done, errors = await _calls(gw.unary(GET_CITIZEN), mint, 1, agency="agency-f", client="c")
            admitted[name] += done
            refused += errors
    # 10 for the client while the store is away: each of the 2 replicas enforces its half on its own.
    assert admitted == {"one": 5, "two": 5} and len(refused) == 6
    assert {e.code() for e in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert _retry_delay(refused[0]) > 0


async def test_calls_without_a_token_have_a_budget_per_caller_address(mint, socket_dir, upstream):
    from .conftest import GET_JWKS

    async with run_gateway(
        mint, socket_dir, {"identity": [upstream.target]}, anonymous_budget={"rate": SLOW, "burst": 3}
    ) as gw:
        outcomes = []
        for _ in range(5):
            try:
                await gw.unary(GET_JWKS)(b"")
                outcomes.append("OK")
            except grpc.aio.AioRpcError as error:
                outcomes.append(error.code().name)
    assert outcomes == ["OK"] * 3 + ["RESOURCE_EXHAUSTED"] * 2
    assert upstream.calls[GET_JWKS] == 3


async def test_concurrent_calls_within_budget_are_all_admitted(mint, socket_dir, upstream, redis_url):
    """Sixteen calls at once on a small budget (leases of one token): the budget decides, not the race."""
    import asyncio

    async with run_gateway(
        mint,
        socket_dir,
        {"registry": [upstream.target]},
        redis_url=redis_url,
        rate_limit_prefix=f"lt-test:{uuid.uuid4().hex}",
        rate_limits=_limits(16, 100),
    ) as gw:
        metadata = mint.metadata([READ], agency="agency-c", subject="burst")
        replies = await asyncio.gather(
            *(gw.unary(GET_CITIZEN)(b"x", metadata=metadata) for _ in range(16)), return_exceptions=True
        )
    assert [r for r in replies if isinstance(r, Exception)] == []
