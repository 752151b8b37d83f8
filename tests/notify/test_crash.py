"""Crash safety: the worker process is killed with SIGKILL mid-batch; after a restart every accepted message is
delivered, and re-sends carry the same Message-ID so the receiver keeps one copy."""

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lienthong_notify.adapters.mail_sink import FolderHandler
from lienthong_notify.adapters.tables import deliveries, notifications
from lienthong_notify.bootstrap import load_settings
from lienthong_notify.handlers import batches
from lienthong_notify.handlers.ports import Caller
from lienthong_runtime.db import create_engine

from .support import at_rest_keys, eventually, handlers_on, mail_sink, migrate, received_ids

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
COUNT = 200


class SlowHandler(FolderHandler):
    """A receiving server that takes a while per message, so the kill lands while a batch is in flight."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


#: At-rest keys shared by the test and the worker processes it starts (notifications are stored sealed).
KEYS = at_rest_keys()


async def start_worker(pg_url: str, smtp_port: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "LIENTHONG_NOTIFY_ENCRYPTION_KEYS": KEYS["encryption_keys"],
        "LIENTHONG_NOTIFY_BLIND_INDEX_KEY": KEYS["blind_index_key"],
        "LIENTHONG_NOTIFY_DATABASE_URL": pg_url,
        "LIENTHONG_NOTIFY_SMTP_PORT": str(smtp_port),
        "LIENTHONG_NOTIFY_SMTP_CONNECTIONS": "2",
        "LIENTHONG_NOTIFY_WORKER_BATCH_SIZE": "40",
        "LIENTHONG_NOTIFY_WORKER_LEASE_S": "1.5",
        "LIENTHONG_NOTIFY_WORKER_IDLE_S": "0.05",
        "LIENTHONG_NOTIFY_RETRY_BASE_S": "0.05",
        "LIENTHONG_NOTIFY_RETRY_MAX_S": "0.5",
        "LIENTHONG_NOTIFY_LOG_LEVEL": "WARNING",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lienthong_notify.worker", env=env, stdout=asyncio.subprocess.PIPE
    )
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
    assert line.strip() == b"READY"
    return proc


async def test_sigkill_mid_batch_then_restart_delivers_every_accepted_message(pg_url, tmp_path):
    await migrate(pg_url)
    engine = create_engine(pg_url)
    sessions = engine.connect
    units, deps = handlers_on(engine, load_settings(database_url=pg_url, rate_limit_burst=10_000, **KEYS))
    from lienthong_notify.domain.channels import Channel
    from lienthong_notify.handlers import templates

    caller = Caller("agency-a")
    template = await templates.create(
        units(), caller, channel=Channel.EMAIL, name="t", subject="Chào ((name))", body="Nội dung ((name))",
        now=deps.clock(),
    )  # fmt: skip
    view = await batches.send_batch(
        units,
        deps,
        caller,
        batches.SendBatchCommand(
            template_id=template.id,
            idempotency_key="crash",
            recipients=[
                batches.BatchRecipient(f"user{i}@example.vn", {"name": f"Người {i}"}) for i in range(COUNT)
            ],
        ),
    )
    accepted = {nid for _, nid, _ in view.results}
    assert len(accepted) == COUNT
    folder = tmp_path / "mail"
    async with mail_sink(folder) as sink:
        sink.handler = SlowHandler(folder)
        worker = await start_worker(pg_url, sink.port)

        async def some_received() -> bool:
            return sink.handler.received >= 40

        await eventually(some_received)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
        async with sessions() as session:
            leased = (
                await session.execute(
                    select(func.count())
                    .select_from(deliveries)
                    .where(deliveries.c.claimed_until > datetime.now(UTC))
                )
            ).scalar_one()
            delivered = (
                await session.execute(
                    select(func.count())
                    .select_from(notifications)
                    .where(notifications.c.status == "DELIVERED")
                )
            ).scalar_one()
        assert leased > 0 and delivered < COUNT  # killed with messages claimed and in flight

        worker = await start_worker(pg_url, sink.port)
        try:

            async def all_delivered() -> bool:
                async with sessions() as session:
                    return (
                        await session.execute(
                            select(func.count())
                            .select_from(notifications)
                            .where(notifications.c.status == "DELIVERED")
                        )
                    ).scalar_one() == COUNT

            await eventually(all_delivered, timeout=60)
        finally:
            worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(worker.wait(), timeout=15)
    ids = received_ids(folder)
    assert sorted(ids) == sorted(
        f"<{i}@notify.lienthong.local>" for i in accepted
    )  # each exactly once on disk
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(deliveries))).scalar_one() == 0
    await engine.dispose()
