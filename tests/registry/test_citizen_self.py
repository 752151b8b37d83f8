"""What a citizen reads about themselves: their own record (GetMyRecord) and, per access-log entry, whether its
link in the hash chain still verifies."""

import grpc
import pytest
from sqlalchemy import create_engine, text

from lienthong.registry.v1 import registry_pb2 as pb

from .factories import citizen, reason
from .test_access_log import _reads, _sync

pytestmark = pytest.mark.postgres


def _citizen_md(registry, pid: str):
    return registry.mint.metadata(("citizen.self",), kind="citizen", subject=f"citizen:{pid}", pid=pid)


async def test_a_citizen_reads_their_own_complete_record_without_a_log_entry(registry):
    created = await registry.create(citizen("Trần Thị Lan"))
    pid = created.personal_id
    record = (
        await registry.stub.GetMyRecord(pb.GetMyRecordRequest(), metadata=_citizen_md(registry, pid))
    ).citizen
    assert record.personal_id == pid and record.full_name == "Trần Thị Lan"
    assert record.permanent_address.province_code == created.permanent_address.province_code
    assert record.version == created.version
    log = await registry.stub.ListMyAccessLog(
        pb.ListMyAccessLogRequest(), metadata=_citizen_md(registry, pid)
    )
    assert [e.action for e in log.entries] == [pb.ACCESS_ACTION_WRITE]  # only the registration office's write


async def test_my_record_needs_a_citizen_token_and_an_existing_record(registry):
    with pytest.raises(grpc.aio.AioRpcError) as machine:
        await registry.stub.GetMyRecord(pb.GetMyRecordRequest(), metadata=registry.md())
    assert machine.value.code() is grpc.StatusCode.PERMISSION_DENIED
    unknown = citizen().personal_id  # well-formed, never created
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await registry.stub.GetMyRecord(pb.GetMyRecordRequest(), metadata=_citizen_md(registry, unknown))
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND


async def test_each_entry_says_whether_its_chain_link_verifies(registry):
    mine = (await registry.create(citizen())).personal_id
    other = (await registry.create(citizen("Lê Văn Cường"))).personal_id
    await _reads(registry, mine, 2)
    await _reads(registry, other, 1)
    await _reads(registry, mine, 1)
    entries = (
        await registry.stub.ListMyAccessLog(pb.ListMyAccessLogRequest(), metadata=_citizen_md(registry, mine))
    ).entries
    assert len(entries) == 4 and all(e.chain_verified for e in entries)

    altered = entries[1].sequence
    engine = create_engine(_sync(registry.url))
    with engine.begin() as conn:  # an intruder rewrites the purpose of one of this citizen's entries
        conn.execute(text("ALTER TABLE access_log DISABLE TRIGGER access_log_append_only"))
        conn.execute(
            text("UPDATE access_log SET purpose = 'nothing to see' WHERE sequence = :s"), {"s": altered}
        )
    engine.dispose()
    entries = (
        await registry.stub.ListMyAccessLog(pb.ListMyAccessLogRequest(), metadata=_citizen_md(registry, mine))
    ).entries
    assert {e.sequence: e.chain_verified for e in entries} == {
        e.sequence: e.sequence != altered for e in entries
    }


async def test_the_agency_rpcs_refuse_a_citizen_token_as_agency_required(registry):
    """A citizen token carrying an agency scope still names no agency: the same reason as in every service."""
    created = await registry.create(citizen())
    md = registry.mint.metadata(
        ("registry.citizens.read", "registry.citizens.write", "registry.access_log.audit"),
        kind="citizen",
        pid=created.personal_id,
    )
    calls = [
        (registry.stub.GetCitizen, pb.GetCitizenRequest(personal_id=created.personal_id, purpose="x.read")),
        (registry.stub.ListAccessLog, pb.ListAccessLogRequest()),
        (registry.stub.CreateCitizen, pb.CreateCitizenRequest(citizen=citizen(), legal_reason="r")),
    ]
    for call, request in calls:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request, metadata=md)
        assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED, call
        assert reason(caught.value) == "AGENCY_REQUIRED"
