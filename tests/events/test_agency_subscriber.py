"""An agency's own system consumes the stream with plain nats-py, as docs/EVENTS.md shows: a durable consumer
filtered to its agency's subject, explicit acks, and deduplication by envelope id."""

from __future__ import annotations

import asyncio
import uuid

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong_runtime.events import envelope
from lienthong_runtime.nats_bus import JetStreamBus

from .conftest import delete_streams, jetstream_url

pytestmark = pytest.mark.nats


def paid(agency: str) -> EventEnvelope:
    payment_id = uuid.uuid4().hex
    message = payment_events.PaymentSucceeded(payment_id=payment_id, amount_vnd=120_000)
    return envelope("payment", message, subject=payment_id, agency_id=agency)


async def test_an_agency_consumer_sees_only_its_events_once(nats_url: str) -> None:
    bus = JetStreamBus(jetstream_url(nats_url))
    mine, theirs = f"agency-{uuid.uuid4().hex[:8]}", f"agency-{uuid.uuid4().hex[:8]}"
    events = [paid(mine), paid(theirs), paid(mine)]
    for event in [*events, events[0]]:  # the last one is a re-publish: deduplicated by the bus
        await bus.publish(event)

    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        prefix = f"{bus.options.namespace}."  # an installation without a namespace has none
        subject = f"{prefix}lienthong.payment.v1.*.{mine}"
        pull = await js.pull_subscribe(
            subject,
            durable="so-tai-chinh",
            stream=bus.options.event_stream,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=30),
        )
        seen: set[str] = set()  # the agency's own processed-ids table, in real life in its database
        received = []
        for msg in await pull.fetch(10, timeout=2):
            event = EventEnvelope.FromString(msg.data)
            if event.id not in seen:
                seen.add(event.id)
                received.append(event)
            await msg.ack()
        assert [e.id for e in received] == [events[0].id, events[2].id]
        assert {e.agency_id for e in received} == {mine}
        payment = payment_events.PaymentSucceeded()
        assert received[0].payload.Unpack(payment) and payment.amount_vnd == 120_000
    finally:
        await nc.close()
        await bus.close()
        await asyncio.wait_for(delete_streams(bus), timeout=10)
