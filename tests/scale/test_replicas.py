"""Registry reads from a streaming hot standby (issue #18): purpose-bound reads, verifications and searches go
to the standby while writes and the access log go to the primary; a writer reads its own write at once; a
lagging standby serves other callers only within ``replica_max_lag_seconds``; a standby that stops is replaced by
the primary without an error. On a real primary + standby started here (``pg_cluster.py``)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong.registry.v1 import registry_pb2_grpc
from lienthong_registry.adapters.replicas import ReplicaRouter
from lienthong_registry.bootstrap import build, load_settings
from lienthong_runtime import migrations
from lienthong_runtime.testing import TokenMint, running
from tests.registry import factories as f

from .pg_cluster import Standby, database_url, primary_and_standby, run_sql, wait_until

MAX_LAG = 3.0
PURPOSE = "social_insurance.enrolment"
READER = "agency-insurance"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[Any, Standby]]:
    with primary_and_standby() as servers:
        yield servers


class Harness:
    def __init__(self, stub: registry_pb2_grpc.RegistryServiceStub, mint: TokenMint, router: ReplicaRouter):
        self.stub, self.mint, self.router = stub, mint, router

    def md(self, agency: str) -> Any:
        return self.mint.metadata(f.ALL_SCOPES, agency=agency, subject=f"client-of-{agency}")

    async def get(self, agency: str, pid: str) -> pb.CitizenView | None:
        try:
            request = pb.GetCitizenRequest(personal_id=pid, purpose=PURPOSE)
            return (await self.stub.GetCitizen(request, metadata=self.md(agency))).citizen
        except grpc.aio.AioRpcError as error:
            if f.reason(error) == "CITIZEN_NOT_FOUND":
                return None
            raise

    async def create(self, agency: str) -> pb.Citizen:
        request = pb.CreateCitizenRequest(citizen=f.citizen(), legal_reason="Birth registration 1/QĐ")
        return (await self.stub.CreateCitizen(request, metadata=self.md(agency))).citizen


@pytest.fixture
async def registry(cluster: tuple[Any, Standby], unix_socket: str, tmp_path: Path) -> AsyncIterator[Harness]:
    primary, standby = cluster
    name = f"lt_replica_{uuid.uuid4().hex[:12]}"
    run_sql(primary.url, f'CREATE DATABASE "{name}"')
    url = database_url(primary.url, name)
    await migrations.upgrade_async("lienthong_registry", url, "registry")
    standby_sync = standby.url.rsplit("/", 1)[0] + f"/{name}"
    wait_until(
        lambda: run_sql(standby_sync, "SELECT to_regclass('citizens') IS NOT NULL") == (True,),
        what="the schema on the standby",
    )
    settings = load_settings(
        database_url=url,
        data_dir=str(tmp_path),
        dev_mode=True,
        http_port=0,
        bus_url=f"memory://registry-{uuid.uuid4().hex}",
        read_replica_urls=database_url(standby.url, name),
        replica_max_lag_seconds=MAX_LAG,
        replica_check_seconds=0.1,
    )
    mint = TokenMint()
    app = await build(settings, verifier=mint.verifier())
    async with running(app, unix_socket) as channel:
        stub = registry_pb2_grpc.RegistryServiceStub(channel)
        router = _router(app)
        harness = Harness(stub, mint, router)
        for agency in ("agency-registrar", READER):
            policy = pb.DisclosurePolicy(
                agency_id=agency,
                purpose=PURPOSE,
                fields=["full_name", "date_of_birth"],
                legal_basis="Luật BHXH",
            )
            await stub.SetDisclosurePolicy(
                pb.SetDisclosurePolicyRequest(policy=policy), metadata=harness.md("agency-registrar")
            )
        await _until(lambda: all(s.well for s in router.standbys), "standby well")
        yield harness


def _router(app: Any) -> ReplicaRouter:
    for job in app.background:
        owner = getattr(job, "__self__", None)
        if isinstance(owner, ReplicaRouter):
            return owner
    raise AssertionError("no replica monitor among the background jobs")


async def _until(check: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} not reached after {timeout:.0f}s"
        await asyncio.sleep(0.05)


async def _eventually(read: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while (found := await read()) is None:
        assert time.monotonic() < deadline, f"{what} not reached after {timeout:.0f}s"
        await asyncio.sleep(0.1)
    return found


async def test_reads_verifications_and_searches_go_to_the_standby(registry: Harness) -> None:
    created = await registry.create("agency-registrar")
    pid = created.personal_id
    # The writer reads its own write at once (from the primary until the standby has replayed it).
    assert (await registry.get("agency-registrar", pid)).full_name == created.full_name

    # Another agency's read comes from the standby once it has the record (and the monitor has seen it keep
    # up: on a loaded machine the first reads may still be answered by the primary).
    async def from_standby() -> Any:
        served = registry.router.served["standby"]
        citizen = await registry.get(READER, pid)
        return citizen if citizen is not None and registry.router.served["standby"] > served else None

    found = await _eventually(from_standby, "a read of the record served by the standby", timeout=60.0)
    assert found.full_name == created.full_name
    before = registry.router.served["standby"]
    md = registry.md(READER)
    claims = pb.CitizenClaims(full_name=created.full_name, date_of_birth=created.date_of_birth)
    verdict = await registry.stub.VerifyCitizen(
        pb.VerifyCitizenRequest(personal_id=pid, claims=claims, purpose=PURPOSE), metadata=md
    )
    assert verdict.result == pb.VERIFICATION_RESULT_MATCH
    search = pb.SearchCitizensRequest(
        full_name=created.full_name, date_of_birth=created.date_of_birth, purpose=PURPOSE
    )
    hits = (await registry.stub.SearchCitizens(search, metadata=md)).citizens
    assert pid in [c.personal_id for c in hits]
    history = pb.GetCitizenHistoryRequest(personal_id=pid, purpose=PURPOSE)
    assert len((await registry.stub.GetCitizenHistory(history, metadata=md)).versions) == 1
    assert registry.router.served["standby"] - before == 3
    # The access log (on the primary) has every one of those reads, chained.
    chain = await registry.stub.VerifyAccessLogChain(
        pb.VerifyAccessLogChainRequest(), metadata=registry.md("agency-registrar")
    )
    assert chain.intact and chain.entries_checked >= 6


async def test_a_lagging_standby_serves_others_only_within_the_bound(
    registry: Harness, cluster: tuple[Any, Standby]
) -> None:
    _, standby = cluster
    first = await registry.create("agency-registrar")
    await _eventually(lambda: registry.get(READER, first.personal_id), "the first record on the standby")
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        paused_at = time.monotonic()
        created = await registry.create("agency-registrar")
        pid = created.personal_id
        # Read your own write: the writer sees it, and its update, while the standby replays nothing.
        assert await registry.get("agency-registrar", pid) is not None
        mask = field_mask_pb2.FieldMask(paths=["full_name"])
        changed = pb.Citizen(full_name="Nguyễn Văn Bình")
        updated = await registry.stub.UpdateCitizen(
            pb.UpdateCitizenRequest(
                personal_id=pid, expected_version=1, citizen=changed, update_mask=mask, legal_reason="QĐ 2"
            ),
            metadata=registry.md("agency-registrar"),
        )
        assert updated.citizen.version == 2
        assert (await registry.get("agency-registrar", pid)).full_name == "Nguyễn Văn Bình"
        # Another caller, within the bound, is answered by the standby as of before the write...
        stale = await registry.get(READER, pid)
        if time.monotonic() - paused_at < MAX_LAG - 0.5:
            assert stale is None
        # ...and once the standby is behind by more than the bound, by the primary.
        fresh = await _eventually(lambda: registry.get(READER, pid), "the primary answering", MAX_LAG + 5)
        assert fresh.full_name == "Nguyễn Văn Bình"
        assert time.monotonic() - paused_at >= MAX_LAG - 0.5
        assert not registry.router.standbys[0].replay_lsn >= registry.router._fresh_floor(time.monotonic())
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
    # Replayed again: reads return to the standby.
    await _until(
        lambda: registry.router.standbys[0].replay_lsn >= registry.router._fresh_floor(time.monotonic()),
        "standby caught up",
    )
    before = registry.router.served["standby"]
    assert (await registry.get(READER, first.personal_id)) is not None
    assert registry.router.served["standby"] == before + 1


async def test_a_standby_that_stops_is_replaced_by_the_primary(
    registry: Harness, cluster: tuple[Any, Standby]
) -> None:
    _, standby = cluster
    created = await registry.create("agency-registrar")
    pid = created.personal_id
    await _eventually(lambda: registry.get(READER, pid), "the record on the standby")
    standby.stop()
    try:
        # Every read is answered (by the primary), the first ones after a failed standby attempt.
        for _ in range(20):
            assert (await registry.get(READER, pid)).full_name == created.full_name
        assert not registry.router.standbys[0].well
        assert registry.router.served["fallback"] + registry.router.served["primary"] >= 20
    finally:
        standby.start()
    await _until(lambda: registry.router.standbys[0].well, "standby back")
    before = registry.router.served["standby"]
    assert (await registry.get(READER, pid)) is not None
    assert registry.router.served["standby"] == before + 1
