"""The hash-chained access log: citizens list accesses to their own record; tampering is detected."""

import io
from contextlib import redirect_stdout

import pytest
from sqlalchemy import create_engine, text

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong_registry import cli

from .factories import citizen

pytestmark = pytest.mark.postgres


def _sync(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql+psycopg2://", 1)


async def _reads(registry, pid: str, count: int) -> None:
    await registry.policy("agency-health", "health.insurance_card", ["full_name"], basis="Luật BHYT Điều 12")
    md = registry.md(("registry.citizens.read",), agency="agency-health", agency_name="BHXH Hà Nội")
    for _ in range(count):
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=pid, purpose="health.insurance_card"), metadata=md
        )


async def test_citizen_lists_who_read_their_record(registry):
    mine = (await registry.create(citizen())).personal_id
    other = (await registry.create(citizen("Đỗ Văn Bình"))).personal_id
    await _reads(registry, mine, 2)
    await _reads(registry, other, 1)
    token = registry.mint.metadata(("citizen.self",), kind="citizen", subject="citizen-1", pid=mine)
    entries = (await registry.stub.ListMyAccessLog(pb.ListMyAccessLogRequest(), metadata=token)).entries
    reads = [e for e in entries if e.action == pb.ACCESS_ACTION_READ]
    assert len(reads) == 2 and all(e.agency_name == "BHXH Hà Nội" for e in reads)
    assert reads[0].legal_basis == "Luật BHYT Điều 12" and list(reads[0].fields_disclosed) == ["full_name"]
    assert all(e.personal_id == "" for e in entries)
    audit = await registry.stub.ListAccessLog(
        pb.ListAccessLogRequest(personal_id=other),
        metadata=registry.md(("registry.access_log.audit",), agency="agency-health"),
    )
    assert [e.personal_id for e in audit.entries] == [other]


async def test_tampering_with_one_row_is_detected_by_the_verify_command(registry):
    pid = (await registry.create(citizen())).personal_id
    await _reads(registry, pid, 5)
    chain = await registry.stub.VerifyAccessLogChain(pb.VerifyAccessLogChainRequest(), metadata=registry.md())
    assert chain.intact and chain.entries_checked == 6

    engine = create_engine(_sync(registry.url))
    with engine.begin() as conn:  # an intruder with database access, bypassing the append-only trigger
        conn.execute(text("ALTER TABLE access_log DISABLE TRIGGER access_log_append_only"))
        conn.execute(text("UPDATE access_log SET agency_id = 'agency-innocent' WHERE sequence = 4"))
    engine.dispose()

    out = io.StringIO()
    with redirect_stdout(out):
        code = await cli.verify_log(registry.settings)
    assert code == 1
    assert "first broken link: sequence 4" in out.getvalue()
    chain = await registry.stub.VerifyAccessLogChain(pb.VerifyAccessLogChainRequest(), metadata=registry.md())
    assert not chain.intact and chain.first_broken_sequence == 4


async def test_the_log_is_append_only_in_the_database(registry):
    await _reads(registry, (await registry.create(citizen())).personal_id, 1)
    engine = create_engine(_sync(registry.url))
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log"))
    engine.dispose()
