"""The JetStream bus heals what an operator (or an idle timeout) removed: a deleted durable consumer is
recreated and delivery resumes; a deleted stream is recreated on the next publish."""

from __future__ import annotations

import nats.js.errors
import pytest

from lienthong_runtime.nats_bus import JetStreamBus

from .conftest import delete_streams, jetstream_url
from .support import payment_event, until

pytestmark = pytest.mark.nats


async def test_a_deleted_consumer_and_stream_come_back(nats_url: str) -> None:
    bus = JetStreamBus(jetstream_url(nats_url))
    seen: list[str] = []

    async def handler(event) -> None:  # type: ignore[no-untyped-def]
        seen.append(event.id)

    try:
        await bus.subscribe("notify", [], handler)
        first = payment_event()
        await bus.publish(first)
        await until(lambda: first.id in seen, "the first event was handled")

        js = await bus.jetstream()
        await js.delete_consumer(bus.options.event_stream, "notify")
        second = payment_event()
        await bus.publish(second)
        await until(lambda: second.id in seen, "delivery resumed on a recreated consumer")

        await js.delete_stream(bus.options.event_stream)
        with pytest.raises(nats.js.errors.NoStreamResponseError):
            await bus.publish(payment_event())  # this pass fails; the relay keeps the row
        third = payment_event()
        await bus.publish(third)  # the next pass finds the stream recreated
        assert (await js.stream_info(bus.options.event_stream)).state.messages == 1
    finally:
        await bus.close()
        await delete_streams(bus)
