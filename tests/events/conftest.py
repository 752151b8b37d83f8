"""Fixtures of the event tests: the same tests run against the embedded bus and NATS JetStream."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest

from lienthong_runtime.events import MemoryBus
from lienthong_runtime.nats_bus import JetStreamBus

from .support import NATS_SERVER, NatsServer

#: Small numbers so that redelivery and dead-lettering happen within a second.
MAX_DELIVER = 3


async def delete_streams(bus: JetStreamBus) -> None:
    nc = await nats.connect(bus.servers, connect_timeout=2, max_reconnect_attempts=1)
    try:
        js = nc.jetstream()
        for name in (bus.options.event_stream, bus.options.dlq_stream, bus.options.replay_stream):
            try:
                await js.delete_stream(name)
            except Exception:
                pass
    finally:
        await nc.close()


def jetstream_url(server: str, **extra: object) -> str:
    """A bus URL in a namespace of its own (own streams and subjects on the shared server)."""
    options = {
        "namespace": f"t{uuid.uuid4().hex[:10]}",
        "max_deliver": MAX_DELIVER,
        "nak_delay": 0.05,
        "ack_wait": 2,
        "publish_timeout": 1,
        **extra,
    }
    return server + "?" + "&".join(f"{k}={v}" for k, v in options.items())


@pytest.fixture(params=["memory", "jetstream"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[MemoryBus | JetStreamBus]:
    """The embedded bus and the JetStream bus, with the same delivery settings."""
    if request.param == "memory":
        memory = MemoryBus(max_deliveries=MAX_DELIVER, redelivery_delay=0.05)
        yield memory
        await memory.close()
        return
    jetstream = JetStreamBus(jetstream_url(request.getfixturevalue("nats_url")))
    yield jetstream
    await jetstream.close()
    await delete_streams(jetstream)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A second, private NATS server this test may stop and start."""
    if not os.access(NATS_SERVER, os.X_OK):
        pytest.skip(f"no nats-server binary at {NATS_SERVER}")
    server = NatsServer(tmp_path / "jetstream")
    server.start()
    yield server
    server.kill()
