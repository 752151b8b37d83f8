"""A consumer process that performs its side effect, commits, and dies before acknowledging.

python -m tests.events.crashing_consumer <database url> <bus url>
"""

from __future__ import annotations

import asyncio
import os
import sys

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.nats_bus import JetStreamBus

from .support import PAYMENT_SUCCEEDED, Consumer

EXIT_AFTER_COMMIT = 17


async def main(database_url: str, bus_url: str) -> None:
    sessions = session_factory(create_engine(database_url))
    consumer = Consumer(sessions, "notify")

    async def handle_then_die(event: EventEnvelope) -> None:
        await consumer(event)  # the side effect is committed here
        os._exit(EXIT_AFTER_COMMIT)  # the process dies: no ack, no nak, no cleanup

    await JetStreamBus(bus_url).subscribe("notify", [PAYMENT_SUCCEEDED], handle_then_die)
    await asyncio.sleep(30)  # bounded: the test kills us long before if no event comes


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
