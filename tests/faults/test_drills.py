"""Fault drills on the multi-process platform (issue #13): kill -9 of each service under load, a PostgreSQL crash
and restart, a NATS outage, an SMTP outage, an identity outage with a replica starting during it, and the loss
of a gateway replica. Each prints a row (operations attempted, acknowledged, lost, duplicated, errors by status
code, seconds to recover) and asserts none lost, none duplicated, no INTERNAL (nor UNKNOWN).

Tests run in file order on one platform (conftest.py); each drill is a few seconds of load around its fault."""

from __future__ import annotations

import asyncio
import time

import grpc
import pytest

from lienthong.client import (
    ClientCredentials,
    SyncTokenSource,
    TokenSource,
    connect,
    connect_sync,
    error_info,
)
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from tests.deploy.distributed import Process, free_port
from tests.journey.journey import PURPOSE

from .conftest import ROWS, Drills
from .load import AGENCY_SCOPES, Load, Tally, audit, delivered_after

pytestmark = [pytest.mark.postgres, pytest.mark.nats, pytest.mark.slow, pytest.mark.timeout(400)]

LOAD = {"register": 2, "pay": 2, "token": 1}
BEFORE, OUTAGE = 2.0, 4.0  # seconds of load before a fault, and how long an outage lasts


@pytest.fixture(scope="module")
def credentials(drills: Drills) -> dict[str, str]:
    """The drills' agency (every grantable scope but platform.admin), with a disclosure policy for the audit reads."""
    found = drills.platform.journey_credentials
    with connect_sync(drills.platform.gateways[0]) as public:
        admin = SyncTokenSource.from_client_credentials(
            public,
            ClientCredentials(
                found["admin_client_id"], found["admin_client_secret"], scopes=("registry.policies.admin",)
            ),
        )
        with connect_sync(drills.platform.gateways[0], token_source=admin) as channel:
            registry_pb2_grpc.RegistryServiceStub(channel).SetDisclosurePolicy(
                registry_pb2.SetDisclosurePolicyRequest(
                    policy=registry_pb2.DisclosurePolicy(
                        agency_id=found["agency_id"],
                        purpose=PURPOSE,
                        legal_basis="Drill",
                        fields=["full_name"],
                    )
                )
            )
    return found


def record(capsys: pytest.CaptureFixture[str], drill: str, tally: Tally, recover_s: float | None) -> None:
    row = tally.row(drill, recover_s)
    ROWS.append(row)
    with capsys.disabled():
        print(f"\n{row}")
    assert tally.acknowledged > 0, "the load made no progress at all"
    assert tally.lost == 0, row
    assert tally.duplicated == 0, row
    assert not {"INTERNAL", "UNKNOWN"} & set(tally.errors), row


async def _until(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


async def _restart(drills: Drills, name: str) -> float:
    """Start the killed process again and wait until it serves; the moment it does."""
    await asyncio.to_thread(drills.platform.restart, name)
    return time.monotonic()


async def _drill_kill(drills: Drills, credentials, capsys, service: str, ops=LOAD) -> None:
    platform = drills.platform
    async with Load(platform.gateways, credentials, ops) as load:
        await asyncio.sleep(BEFORE)
        platform.kill(service)
        await asyncio.sleep(1.0)
        back = await _restart(drills, service)
        await asyncio.sleep(BEFORE)
        tally = await load.stop()
    await audit(tally, platform.gateways[0], credentials, platform.mail_dir)
    record(capsys, f"kill -9 {service}", tally, tally.first_success_after(back) if tally.errors else 0.0)


@pytest.mark.parametrize("service", ["registry", "payment", "notify", "identity"])
async def test_kill_each_service_under_load(drills, credentials, capsys, service):
    await _drill_kill(drills, credentials, capsys, service)


async def test_postgresql_crash_and_restart(drills, credentials, capsys):
    platform = drills.platform
    async with Load(platform.gateways, credentials, LOAD) as load:
        await asyncio.sleep(BEFORE)
        await asyncio.to_thread(drills.pg.crash)
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(drills.pg.start)
        back = time.monotonic()
        await asyncio.sleep(BEFORE * 2)
        tally = await load.stop()
    await audit(tally, platform.gateways[0], credentials, platform.mail_dir)
    record(capsys, "PostgreSQL crash + restart", tally, tally.first_success_after(back))


async def test_nats_outage(drills, credentials, capsys):
    platform = drills.platform
    async with Load(platform.gateways, credentials, {"pay": 1}) as load:
        await asyncio.sleep(BEFORE)
        down = time.time()
        drills.nats.kill()
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(drills.nats.start)
        back = time.time()
        await asyncio.sleep(BEFORE)
        tally = await load.stop()
    await audit(tally, platform.gateways[0], credentials, platform.mail_dir)
    # Recovery: NATS back -> the last receipt of a payment made during the outage delivered (outbox -> NATS ->
    # notify -> SMTP).
    record(capsys, "NATS outage", tally, delivered_after(tally, platform.mail_dir, down, back, back))


async def test_smtp_outage(drills, credentials, capsys):
    platform = drills.platform
    async with Load(platform.gateways, credentials, {"pay": 1}) as load:
        await asyncio.sleep(BEFORE)
        down = time.time()
        drills.smtp.kill()
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(drills.smtp.start)
        back = time.time()
        tally = await load.stop()
    await audit(tally, platform.gateways[0], credentials, platform.mail_dir)
    # Recovery: the sink back -> the last receipt of a payment made during the outage delivered (notify's
    # retries, exponential backoff with full jitter from 1 s).
    record(capsys, "SMTP outage", tally, delivered_after(tally, platform.mail_dir, down, back, back))


async def test_identity_outage_with_a_replica_starting(drills, credentials, capsys):
    """identity is down; a new registry replica starts meanwhile: it reports NOT_SERVING and answers a call
    at once with UNAVAILABLE KEYS_UNAVAILABLE (never INTERNAL after a hold), then serves once identity is back."""
    platform = drills.platform
    registry = platform.processes["registry"]
    replica = Process(
        "registry-2",
        "registry",
        {
            **registry.env,
            "LIENTHONG_REGISTRY_PORT": str(free_port()),
            "LIENTHONG_REGISTRY_HTTP_PORT": str(free_port()),
        },
        0,
        0,
        platform.workdir / "registry-2.log",
    )
    replica.port = int(replica.env["LIENTHONG_REGISTRY_PORT"])
    replica.http_port = int(replica.env["LIENTHONG_REGISTRY_HTTP_PORT"])
    async with connect(platform.gateways[0]) as public:
        tokens = TokenSource.from_client_credentials(
            public,
            ClientCredentials(credentials["client_id"], credentials["client_secret"], scopes=AGENCY_SCOPES),
        )
        await tokens.token()  # a valid token, issued before the outage
        tally = Tally()
        platform.kill("identity")
        replica.start(platform.workdir)
        platform.processes["registry-2"] = replica
        try:
            await _until(lambda: _health(replica.target) == "NOT_SERVING", 60)
            async with connect(replica.target, token_source=tokens, retry=False) as direct:
                stub = registry_pb2_grpc.RegistryServiceStub(direct)
                for _ in range(5):
                    tally.attempted += 1
                    started = time.monotonic()
                    with pytest.raises(grpc.aio.AioRpcError) as caught:
                        await stub.GetCitizen(
                            registry_pb2.GetCitizenRequest(personal_id="079303000001", purpose=PURPOSE)
                        )
                    held = time.monotonic() - started
                    tally.errors[caught.value.code().name] += 1
                    assert caught.value.code() is grpc.StatusCode.UNAVAILABLE, caught.value.details()
                    assert error_info(caught.value).reason == "KEYS_UNAVAILABLE" and held < 1.5
                back = await _restart(drills, "identity")
                await _until(lambda: _health(replica.target) == "SERVING", 30)
                serving = time.monotonic() - back
                tally.attempted += 1
                with pytest.raises(grpc.aio.AioRpcError) as caught:  # the keys verify: a real answer now
                    await stub.GetCitizen(
                        registry_pb2.GetCitizenRequest(personal_id="079303000001", purpose=PURPOSE)
                    )
                assert caught.value.code() is grpc.StatusCode.NOT_FOUND
                tally.acknowledged += 1
        finally:
            platform.processes.pop("registry-2", None)
            if replica.popen is not None:
                replica.popen.kill()
            if not platform.processes["identity"].alive():  # never leave the next drills without identity
                await _restart(drills, "identity")
    # The UNAVAILABLE answers (KEYS_UNAVAILABLE, each within 1.5 s) are what the drill expects, asserted above.
    record(capsys, "identity outage + new replica", tally, serving)


def _health(target: str) -> str:
    """The overall health status of ``target`` (SERVING, NOT_SERVING, ...), or UNREACHABLE."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        with grpc.insecure_channel(target) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1.0)
    except grpc.RpcError:
        return "UNREACHABLE"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


async def test_gateway_replica_loss(drills, credentials, capsys):
    """A client pinned to gateway-1 while it is killed and comes back: its first success after the replica serves
    again is measured (finding 6), the other clients go through gateway-2."""
    platform = drills.platform
    async with Load(platform.gateways, credentials, LOAD, workers=4) as load:
        await asyncio.sleep(BEFORE)
        platform.kill("gateway-1")
        await asyncio.sleep(2.0)
        back = await _restart(drills, "gateway-1")
        await asyncio.sleep(BEFORE)
        tally = await load.stop()
    await audit(tally, platform.gateways[1], credentials, platform.mail_dir)
    # Recovery: the first success of a client pinned to the replica after it serves again (finding 6).
    record(capsys, "gateway replica loss", tally, tally.first_success_after(back, platform.gateways[0]))
