"""Concurrent reads by personal ID through the bare asyncpg reader (``PgReader``): each caller gets exactly its
own record (or NOT_FOUND), disclosed under its own agency's policy, and each read is logged in the chain."""

import asyncio

import grpc
import pytest

from lienthong.registry.v1 import registry_pb2 as pb

from .factories import citizen, reason

pytestmark = pytest.mark.postgres


async def test_concurrent_reads_each_get_their_own_record_under_their_own_policy(registry):
    names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung"]
    created = [await registry.create(citizen(name=n, sex=2 if "Thị" in n else 1)) for n in names]
    await registry.policy("agency-health", "health.card", ["full_name"])
    await registry.policy("agency-tax", "tax.lookup", ["date_of_birth"])
    health = registry.md(("registry.citizens.read",), agency="agency-health")
    tax = registry.md(("registry.citizens.read",), agency="agency-tax")
    unknown = "001090" + ("000000" if created[0].personal_id[-6:] != "000000" else "000001")

    async def get(pid: str, purpose: str, md):
        request = pb.GetCitizenRequest(personal_id=pid, purpose=purpose)
        return (await registry.stub.GetCitizen(request, metadata=md)).citizen

    calls = [get(c.personal_id, "health.card", health) for c in created]
    calls += [get(c.personal_id, "tax.lookup", tax) for c in created]
    calls += [get(unknown, "health.card", health)] * 3
    results = await asyncio.gather(*calls, return_exceptions=True)

    for c, view in zip(created, results[:4], strict=True):
        assert view.personal_id == c.personal_id and view.full_name == c.full_name
        assert list(view.disclosed_fields) == ["full_name"] and not view.HasField("date_of_birth")
    for c, view in zip(created, results[4:8], strict=True):
        assert view.personal_id == c.personal_id and view.date_of_birth == c.date_of_birth
        assert list(view.disclosed_fields) == ["date_of_birth"] and view.full_name == ""
    for missing in results[8:]:
        assert isinstance(missing, grpc.aio.AioRpcError)
        assert missing.code() == grpc.StatusCode.NOT_FOUND and reason(missing) == "CITIZEN_NOT_FOUND"
    chain = await registry.stub.VerifyAccessLogChain(pb.VerifyAccessLogChainRequest(), metadata=registry.md())
    assert chain.intact and chain.entries_checked == 4 + 8  # four creations, eight reads
