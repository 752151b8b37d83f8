"""The event streams as R3 on a three-node JetStream cluster (issue #18): the stream leader is killed during a
burst of outbox publishes and consumer work; every event is stored once, handled once, the outbox drains, and
the cluster (with the node back) has every replica current again. On nats-server processes started here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import nats
import pytest

from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.nats_bus import JetStreamBus
from tests.events.conftest import delete_streams, jetstream_url
from tests.events.support import (
    PAYMENT_SUCCEEDED,
    Consumer,
    commit_payment,
    create_schema,
    effect_counts,
    outbox,
    pending_outbox,
    until,
)

from .nats_cluster import NatsCluster, nats_cluster

BURST = 300

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[NatsCluster]:
    with nats_cluster() as running:
        yield running


async def _meta_leader(servers: str) -> None:
    """Wait until the cluster has elected its JetStream meta leader (streams can be created)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            nc = await nats.connect(servers.split(","), connect_timeout=2, max_reconnect_attempts=1)
            try:
                await nc.jetstream(timeout=2).account_info()
                return
            finally:
                await nc.close()
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


async def _replicated_stream(js: Any, stream: str) -> Any:
    """The stream's info once its three replicas have a leader (creating an R3 stream takes a moment, longer on
    a loaded machine: a single request may time out or find no stream yet)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            info = await js.stream_info(stream)
            if info.cluster and info.cluster.leader and len(info.cluster.replicas or []) == 2:
                return info
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"stream {stream} has no leader and two replicas after 30 s")
        await asyncio.sleep(0.3)


async def test_losing_the_stream_leader_loses_nothing_and_applies_nothing_twice(
    pg_url: str, cluster: NatsCluster
) -> None:
    await _meta_leader(cluster.servers)
    engine = create_engine(pg_url)
    await create_schema(engine)
    sessions = session_factory(engine)
    url = jetstream_url(cluster.servers, replicas=3, publish_timeout=2, ack_wait=5)
    publisher, subscriber = JetStreamBus(url), JetStreamBus(url)  # the payment and the notify process
    consumer = Consumer(sessions, "notify")
    await subscriber.subscribe("notify", [PAYMENT_SUCCEEDED], consumer)
    relay = OutboxRelay(sessions, outbox, publisher, interval=0.05)
    relay_task = asyncio.create_task(relay.run())
    stream = publisher.options.event_stream
    try:
        js = await publisher.jetstream()
        info = await _replicated_stream(js, stream)
        assert info.config.num_replicas == 3
        leader = info.cluster.leader if info.cluster else None
        assert leader is not None and len(info.cluster.replicas or []) == 2
        committed: list[str] = []
        for n in range(BURST):
            committed.append(await commit_payment(sessions))
            relay.wake()
            if n == BURST // 3:
                await until(lambda: len(consumer.done) >= BURST // 6, "consumer work under way")
                cluster.node(leader).kill()  # mid-burst, with publishes and acknowledgements in flight
            await asyncio.sleep(0)

        async def drained() -> bool:
            return await pending_outbox(sessions) == 0

        await until(drained, "the outbox drained through the surviving nodes", timeout=60)
        await until(lambda: set(committed) <= set(consumer.done), "every event was handled", timeout=60)
        cluster.node(leader).start()  # same port and store: it catches up as a follower

        async def recovered() -> bool:
            try:
                now = await js.stream_info(stream)
            except (TimeoutError, nats.errors.Error):  # asked while the cluster re-forms
                return False
            peers = (now.cluster.replicas or []) if now.cluster else []
            return (
                now.cluster is not None
                and now.cluster.leader is not None
                and len(peers) == 2
                and all(p.current and not p.offline for p in peers)
            )

        await until(recovered, "every replica current again", timeout=60)
        after = await js.stream_info(stream)
        assert (
            after.state.messages == BURST
        )  # each event stored once: the duplicate window survived the failover
        assert await effect_counts(sessions, "notify") == {event_id: 1 for event_id in committed}

        async def settled() -> bool:
            try:
                state = (await subscriber.status())[stream]["consumers"]["notify"]
            except (
                TimeoutError,
                nats.errors.Error,
            ):  # a request the just-recovered cluster did not answer in time
                return False
            return state["pending"] == 0 and state["ack_pending"] == 0

        await until(settled, "the consumer acknowledged everything", timeout=30)
        print(
            f"\nR3 drill: {BURST} events, leader {leader} killed at {BURST // 3}; new leader "
            f"{after.cluster.leader if after.cluster else '?'}; deliveries {len(consumer.calls)} "
            f"(redelivered {len(consumer.calls) - BURST}), effects applied once each"
        )
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await publisher.close()
        await subscriber.close()
        await delete_streams(publisher)
        await engine.dispose()
