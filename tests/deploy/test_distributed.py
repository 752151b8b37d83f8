"""The distributed shape as OS processes: every block and two gateway replicas with compose's settings,
against the local PostgreSQL, NATS and Redis; a service killed with SIGKILL comes back with its data."""

from __future__ import annotations

import shutil
import tempfile
import time
import urllib.request

import grpc
import pytest
from sqlalchemy import create_engine, text

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong_cli.services import BUILDING_BLOCKS, SERVICES
from lienthong_runtime.migrations import head_revision

from .distributed import GATEWAY_REPLICAS, grpc_health_check, sync_url

# Generous bound for a loaded machine (six interpreters start at once); idle, the module takes well under it.
pytestmark = [pytest.mark.postgres, pytest.mark.nats, pytest.mark.slow, pytest.mark.timeout(300)]
# Tests run in file order on one platform: the journey runs last, after identity was killed and restarted.


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # local test server only
        return response.status, response.read().decode()


def _eventually(call, attempts: int = 50):
    """The call's reply once the gateway has seen the upstream healthy again (it checks every second); a
    bounded number of attempts, UNAVAILABLE only."""
    for attempt in range(attempts):
        try:
            return call()
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE or attempt == attempts - 1:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


def test_every_process_serves_with_compose_settings(distributed_platform):
    platform = distributed_platform
    assert set(platform.processes) == {*BUILDING_BLOCKS, *GATEWAY_REPLICAS}
    for name, process in platform.processes.items():
        assert grpc_health_check.check(process.target), name
        assert grpc_health_check.main(["grpc_health_check.py", process.target]) == 0, name
        status, body = _get(f"{platform.http[name]}/healthz")
        assert (status, "SERVING" in body) == (200, True), name
        status, body = _get(f"{platform.http[name]}/metrics")
        assert status == 200 and "# TYPE" in body, name
    assert len({p.popen.pid for p in platform.processes.values()}) == len(platform.processes), (
        "one process each"
    )


def test_each_database_is_migrated_to_head(distributed_platform):
    for name, url in distributed_platform.database_urls.items():
        engine = create_engine(sync_url(url))
        with engine.connect() as conn:
            version = conn.execute(text(f"SELECT version_num FROM alembic_version_{name}")).scalar_one()
        engine.dispose()
        assert version == head_revision(SERVICES[name].package, name), name


def test_both_gateway_replicas_forward_to_the_services(distributed_platform):
    for gateway in distributed_platform.gateways:
        with grpc.insecure_channel(gateway) as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            jwks = _eventually(lambda stub=stub: stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=5))
        assert '"keys"' in jwks.jwks_json and '"kid"' in jwks.jwks_json, gateway


def test_killed_service_restarts_and_keeps_committed_data(distributed_platform):
    """SIGKILL identity (no drain, no stop hooks), start it again: the agency committed before the crash is still
    there, and tokens signed before it still verify (the signing keys were committed, sealed with the KEK from
    the secret file, not kept in memory)."""
    from lienthong.client import ClientCredentials, SyncTokenSource, connect_sync

    platform = distributed_platform
    credentials = platform.journey_credentials  # CreateAgency through gateway-1, committed by identity
    public = connect_sync(platform.gateways[0])
    tokens = SyncTokenSource.from_client_credentials(
        public,
        ClientCredentials(
            credentials["client_id"], credentials["client_secret"], scopes=("identity.agencies.read",)
        ),
    )
    token_before = tokens.token()

    platform.kill("identity")
    assert not platform.serving("identity")
    platform.restart("identity")
    assert platform.processes["identity"].starts == 2

    metadata = (("authorization", f"Bearer {token_before}"),)
    request = identity_pb2.GetAgencyRequest(agency_id=credentials["agency_id"])
    for gateway in platform.gateways:  # every replica finds the restarted upstream again (health-checked)
        with connect_sync(gateway) as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            reply = _eventually(lambda stub=stub: stub.GetAgency(request, metadata=metadata, timeout=5))
        assert reply.agency.id == credentials["agency_id"]
    tokens.invalidate()
    assert tokens.token() != token_before  # and new tokens are issued by the restarted process
    public.close()


async def test_journey_through_both_gateway_replicas_after_the_crash(distributed_platform):
    """The citizen journey (tests/journey) end to end through each gateway replica: tokens, registry, payment
    through the sandbox, the receipt e-mail via NATS and notify, the citizen's access log."""
    from lienthong.registry.v1 import registry_pb2
    from tests.journey.journey import PURPOSE, run_journey

    platform = distributed_platform
    credentials = platform.journey_credentials
    for gateway in platform.gateways:
        result = await run_journey(gateway, credentials, platform.read_mail)
        assert result.payment_id and result.reference in result.receipt and "125.000" in result.receipt
        reads = [
            e
            for e in result.access_log
            if e.action == registry_pb2.ACCESS_ACTION_READ and e.purpose == PURPOSE
        ]
        assert reads and reads[0].agency_id == credentials["agency_id"]


async def test_dossier_journey_across_the_processes(distributed_platform):
    """The newborn linked procedure (tests/journey/dossiers_journey.py) with every block its own process and NATS
    between them: payment's PaymentSucceeded and documents' DocumentSent reach dossiers, dossiers' notices reach
    notify, and the report counts the three parts."""
    from lienthong.dossiers.v1 import dossiers_pb2
    from tests.journey.dossiers_journey import run_dossier_journey

    platform = distributed_platform
    result = await run_dossier_journey(platform.gateways[0], platform.journey_credentials, platform.read_mail)
    assert result.dossier.state == dossiers_pb2.DOSSIER_STATE_COMPLETED
    assert all(p.result_document_id for p in result.dossier.parts)
    assert sorted((r.received, r.on_time, r.late) for r in result.report) == [(1, 1, 0)] * 3
    assert result.dossier.code in result.notice


def test_processes_wrote_nothing_outside_what_the_image_allows(distributed_platform):
    """With the image's read-only root filesystem, a process may write only to /tmp (its HOME): nothing in the
    working directory (no SQLite file, no generated development key) and nothing left in HOME."""
    platform = distributed_platform
    expected = {"secrets", "mail", "home", *(f"{name}.log" for name in platform.processes)}
    assert {p.name for p in platform.workdir.iterdir()} <= expected
    assert not any((platform.workdir / "home").iterdir())


async def test_journey_through_the_haproxy_front_door(distributed_platform):
    """The same journey through the production front door: HAProxy rendered from the contract and the compose
    gateway's settings, in front of the same processes, its agent on the platform's NATS installing identity's
    keys (ES256) and applying its events."""
    import asyncio
    import contextlib

    from lienthong.registry.v1 import registry_pb2
    from lienthong_edge.agent import run_agent
    from lienthong_edge.process import engine
    from lienthong_edge.runtime_api import RuntimeApi
    from lienthong_gateway.config import Settings as GatewaySettings
    from lienthong_runtime.events import connect_bus
    from lienthong_runtime.jwks import jwks_fetcher
    from tests.journey.journey import PURPOSE, run_journey

    from .manifests import compose_workloads, effective_settings

    platform = distributed_platform
    policy = effective_settings(next(w for w in compose_workloads() if w.command == ["serve", "gateway"]))
    settings = GatewaySettings(
        **{
            **policy.model_dump(exclude={"upstreams"}),
            "upstreams": {b: [t] for b, t in platform.endpoints.items()},
            # the platform's own secret, so the services believe the engine's x-forwarded-for
            "proxy_secret": (platform.workdir / "secrets" / "proxy_secret").read_text().strip(),
        }
    )
    fetch = jwks_fetcher(f"grpc://{platform.endpoints['identity']}")
    folder = tempfile.mkdtemp(prefix="ltedge-")  # short: Unix socket paths
    with engine(settings, jwks=await fetch(), folder=folder) as running:
        bus = connect_bus(platform.bus_url)
        agent = asyncio.create_task(
            run_agent(
                running.state, RuntimeApi(running.edge.admin_socket, running.edge.master_socket), fetch, bus
            )
        )
        try:
            credentials = platform.journey_credentials
            result = await run_journey(running.target, credentials, platform.read_mail)
        finally:
            agent.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await agent
            await bus.close()
        audited = [line for line in running.audit_lines() if '"code":"OK"' in line]
    assert result.payment_id and result.reference in result.receipt and "125.000" in result.receipt
    reads = [
        e for e in result.access_log if e.action == registry_pb2.ACCESS_ACTION_READ and e.purpose == PURPOSE
    ]
    assert reads and reads[0].agency_id == credentials["agency_id"]
    shutil.rmtree(folder, ignore_errors=True)
    assert len(audited) >= 10  # one JSON line per call of the journey
