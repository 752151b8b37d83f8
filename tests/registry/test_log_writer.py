"""The access-log writer's group commit on PostgreSQL: lock-free appends after its own tail, and the locked path
when another process (here: a second writer) has extended the chain in between. One intact chain either way."""

import asyncio
import time
import uuid

import pytest

from lienthong_registry.adapters.access_log_writer import AccessLogWriter
from lienthong_registry.adapters.uow import SqlRegistryUnitOfWork
from lienthong_registry.domain.access_log import AccessAction, AccessLogEntry
from lienthong_registry.handlers.audit import verify_chain
from lienthong_runtime import migrations
from lienthong_runtime.db import create_engine, session_factory

pytestmark = pytest.mark.postgres


def _entry(agency: str) -> AccessLogEntry:
    return AccessLogEntry(
        id=str(uuid.uuid4()),
        time_us=time.time_ns() // 1000,  # this month: the partitioned log has partitions around now
        agency_id=agency,
        agency_name=agency,
        client_id="c",
        action=AccessAction.READ,
        purpose="p.q",
        legal_basis="law",
        fields=("full_name",),
        subject="ab" * 32,
        sealed_personal_id="k:xyz",
    )


async def test_two_writers_sharing_a_database_keep_one_intact_chain(pg_url: str):
    await migrations.upgrade_async("lienthong_registry", pg_url, "registry")
    engine = create_engine(pg_url)
    sessions = session_factory(engine)
    a = AccessLogWriter(sessions, pg_url=pg_url)
    b = AccessLogWriter(sessions, pg_url=pg_url)
    try:
        await a.append([_entry("a")])
        await a.append([_entry("a"), _entry("a")])  # a's own tail: the lock-free path
        assert a._tail is not None and a._tail[0] == 3
        await b.append([_entry("b")])  # b has no tail yet: locked path after a's entries
        await a.append([_entry("a")])  # a's tail is stale: the head moved, nothing written, a takes the lock
        assert a._tail is not None and a._tail[0] == 5
        for _ in range(3):  # both race: collisions on either path are retried, never chained twice
            await asyncio.gather(
                *(w.append([_entry("a" if w is a else "b")]) for _ in range(8) for w in (a, b))
            )
        check = await verify_chain(SqlRegistryUnitOfWork(sessions, None))
        assert check.intact, check.detail
        assert check.checked == check.last_sequence == 5 + 3 * 16
    finally:
        await a.close()
        await b.close()
        await engine.dispose()


async def test_a_cancelled_call_still_has_its_entry_written(pg_url: str):
    await migrations.upgrade_async("lienthong_registry", pg_url, "registry")
    engine = create_engine(pg_url)
    sessions = session_factory(engine)
    writer = AccessLogWriter(sessions, pg_url=pg_url)
    try:
        call = asyncio.create_task(writer.append([_entry("a")]))
        await asyncio.sleep(0)  # the entry is queued
        call.cancel()
        await writer.append([_entry("a")])
        with pytest.raises(asyncio.CancelledError):
            await call
        check = await verify_chain(SqlRegistryUnitOfWork(sessions, None))
        assert check.intact and check.checked == 2
    finally:
        await writer.close()
        await engine.dispose()


async def test_an_idle_writer_never_lingers_and_a_loaded_one_still_writes_everything(pg_url: str):
    await migrations.upgrade_async("lienthong_registry", pg_url, "registry")
    engine = create_engine(pg_url)
    sessions = session_factory(engine)
    slow = AccessLogWriter(sessions, pg_url=pg_url, linger=3600.0)  # a wait would hang the test
    quick = AccessLogWriter(sessions, pg_url=pg_url, linger=0.001)
    try:
        for _ in range(3):  # one call at a time: nothing queues during a write, so no wait
            await asyncio.wait_for(slow.append([_entry("a")]), timeout=60)
        await slow.close()
        for _ in range(3):  # calls queue up behind each write: batches wait a moment, all are written
            await asyncio.gather(*(quick.append([_entry("b")]) for _ in range(20)))
        check = await verify_chain(SqlRegistryUnitOfWork(sessions, None))
        assert check.intact and check.checked == 3 + 60
    finally:
        await slow.close()
        await quick.close()
        await engine.dispose()
