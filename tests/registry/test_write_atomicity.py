"""Findings 1 and 2 of issue #13: a citizen record and its WRITE access-log entry commit together or not at all,
the chain verification finds a record version without its entry, and a retried create (idempotency key) is
answered with the record it created, never ALREADY_EXISTS for the caller's own record."""

from __future__ import annotations

import asyncio
import io
import uuid
from contextlib import redirect_stdout

import grpc
import pytest
from google.protobuf import field_mask_pb2
from sqlalchemy import create_engine, text

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong_registry import cli

from .factories import citizen, reason

pytestmark = pytest.mark.postgres

REASON = "Birth registration 123/QĐ"


def _count(registry, table: str) -> int:
    engine = create_engine(registry.url.replace("postgresql+asyncpg://", "postgresql+psycopg2://", 1))
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(found)


def _sql(registry, *statements: str) -> None:
    engine = create_engine(registry.url.replace("postgresql+asyncpg://", "postgresql+psycopg2://", 1))
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


async def _create(
    registry, record: pb.Citizen, key: str = "", agency: str = "agency-registrar"
) -> pb.Citizen:
    request = pb.CreateCitizenRequest(citizen=record, legal_reason=REASON, idempotency_key=key)
    return (await registry.stub.CreateCitizen(request, metadata=registry.md(agency=agency))).citizen


async def _verify(registry) -> pb.VerifyAccessLogChainResponse:
    return await registry.stub.VerifyAccessLogChain(pb.VerifyAccessLogChainRequest(), metadata=registry.md())


async def test_a_create_whose_entry_cannot_be_written_commits_nothing(registry):
    """The drills' case: the access-log append fails on a dead connection (SQLSTATE 08006)."""
    _sql(
        registry,
        "CREATE FUNCTION lt_drill_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'connection lost (injected)' USING ERRCODE = '08006'; END $$",
        "CREATE TRIGGER lt_drill_fail BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION lt_drill_fail()",
    )
    record = citizen()
    key = uuid.uuid4().hex
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _create(registry, record, key)
    assert caught.value.code() is grpc.StatusCode.UNAVAILABLE  # retryable, and nothing was written
    _sql(registry, "DROP TRIGGER lt_drill_fail ON access_log")

    assert _count(registry, "citizens") == 0 and _count(registry, "citizen_versions") == 0
    # The client's retry creates it (not ALREADY_EXISTS), with its entry; the log is intact and complete.
    created = await _create(registry, record, key)
    assert created.version == 1
    chain = await _verify(registry)
    assert chain.intact and chain.versions_without_write_entry == 0


async def test_the_verification_finds_a_record_version_without_its_write_entry(registry):
    await _create(registry, citizen())
    await _create(registry, citizen("Đỗ Văn Bình"))
    assert (await _verify(registry)).intact
    # The last entry gone (what a record committed without its entry looks like): every link still holds.
    _sql(
        registry,
        "ALTER TABLE access_log DISABLE TRIGGER access_log_append_only",
        "DELETE FROM access_log WHERE sequence = (SELECT max(sequence) FROM access_log)",
    )
    chain = await _verify(registry)
    assert not chain.intact and chain.first_broken_sequence == 0
    assert chain.versions_without_write_entry == 1 and "no WRITE entry" in chain.detail
    out = io.StringIO()
    with redirect_stdout(out):
        assert await cli.verify_log(registry.settings) == 1
    assert "INCOMPLETE: 1 record version(s) have no WRITE entry" in out.getvalue()


async def test_a_retried_create_returns_the_original_record(registry):
    record, key = citizen(), uuid.uuid4().hex
    first = await _create(registry, record, key)
    again = await _create(registry, record, key)
    assert again == first and again.version == 1
    # Still the original after the record moved on.
    changed = pb.Citizen(current_address=pb.Address(province_code="01", ward_code="00008", detail="1 Lê Lợi"))
    await registry.stub.UpdateCitizen(
        pb.UpdateCitizenRequest(
            personal_id=record.personal_id,
            expected_version=1,
            citizen=changed,
            update_mask=field_mask_pb2.FieldMask(paths=["current_address"]),
            legal_reason="Change of residence 9/QĐ",
        ),
        metadata=registry.md(),
    )
    assert (await _create(registry, record, key)) == first
    # Without a key the record is someone's existing one: ALREADY_EXISTS, as before.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _create(registry, record)
    assert caught.value.code() is grpc.StatusCode.ALREADY_EXISTS and reason(caught.value) == "CITIZEN_EXISTS"
    # One WRITE entry per version: the replays wrote nothing.
    chain = await _verify(registry)
    assert chain.intact and chain.entries_checked == 2


async def test_the_same_key_for_another_request_is_refused(registry):
    record, key = citizen(), uuid.uuid4().hex
    await _create(registry, record, key)
    other = citizen("Trần Thị Cúc")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _create(registry, other, key)
    assert caught.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert reason(caught.value) == "IDEMPOTENCY_KEY_REUSED"
    # Keys are per agency: another agency's same key is its own (and the record is taken).
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _create(registry, record, key, agency="agency-other")
    assert reason(caught.value) == "CITIZEN_EXISTS"


async def test_concurrent_retries_with_one_key_all_get_the_record(registry):
    record, key = citizen(), uuid.uuid4().hex
    results = await asyncio.gather(*(_create(registry, record, key) for _ in range(4)))
    assert all(r == results[0] for r in results) and results[0].version == 1
    chain = await _verify(registry)
    assert chain.intact and chain.entries_checked == 1
