"""correlation_id end to end: an RPC's ``x-request-id`` goes with the event its transaction writes to the outbox,
through the relay and the bus to a consumer, whose own events carry it on and whose log lines print it; on the
embedded bus and on JetStream alike."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.notify.v1 import events_pb2 as notify_events
from lienthong_runtime.config import ServiceSettings
from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.events import Bus, OutboxRelay, envelope, outbox_table
from lienthong_runtime.logs import JsonFormatter
from lienthong_runtime.server import ServiceApp
from lienthong_runtime.testing import TokenMint, running
from lienthong_runtime.uow import SqlUnitOfWork

REQUEST_ID = "req-correlation-42"


class _IdentityUow(SqlUnitOfWork):
    source = "identity"


class _Identity(identity_pb2_grpc.IdentityServiceServicer):
    """CreateAgency stages an AgencyCreated event in its unit of work (correlation_id left to the default)."""

    def __init__(self, uow: Any) -> None:
        self.uow = uow

    async def CreateAgency(self, request: Any, context: Any) -> identity_pb2.CreateAgencyResponse:
        async with self.uow() as uow:
            uow.publish(
                identity_events.AgencyCreated(agency_id="agency-c", display_name=request.display_name)
            )
        return identity_pb2.CreateAgencyResponse(agency=identity_pb2.Agency(id="agency-c"))


@pytest.fixture
def consumer_log() -> Iterator[io.StringIO]:
    """The JSON lines the consumer's logger writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("lienthong.test.consumer")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)


async def _next(queue: asyncio.Queue[EventEnvelope]) -> EventEnvelope:
    return await asyncio.wait_for(queue.get(), timeout=10)


async def test_the_request_id_travels_from_the_call_to_what_a_consumer_does(
    bus: Bus, tmp_path: Path, unix_socket: str, consumer_log: io.StringIO
) -> None:
    metadata = MetaData()
    outbox = outbox_table(metadata)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    sessions = session_factory(engine)
    relay = OutboxRelay(sessions, outbox, bus)

    seen: asyncio.Queue[EventEnvelope] = asyncio.Queue()
    emitted: asyncio.Queue[EventEnvelope] = asyncio.Queue()

    async def notify_consumer(event: EventEnvelope) -> None:  # e.g. notify, greeting the new agency
        logging.getLogger("lienthong.test.consumer").info("welcome mail sent", extra={"event_id": event.id})
        await bus.publish(envelope("notify", notify_events.NotificationDelivered(notification_id="n-1")))
        await seen.put(event)

    async def collect(event: EventEnvelope) -> None:
        await emitted.put(event)

    await bus.subscribe("corr-notify", ["lienthong.identity.v1.AgencyCreated"], notify_consumer)
    await bus.subscribe("corr-audit", ["lienthong.notify.v1.NotificationDelivered"], collect)

    mint = TokenMint()
    servicer = _Identity(lambda: _IdentityUow(sessions, outbox))
    app = ServiceApp(
        name="corr-test",
        settings=ServiceSettings(),
        verifier=mint.verifier(),
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=["lienthong.identity.v1.IdentityService"],
    )
    try:
        async with running(app, unix_socket) as channel:
            await identity_pb2_grpc.IdentityServiceStub(channel).CreateAgency(
                identity_pb2.CreateAgencyRequest(display_name="UBND"),
                metadata=(*mint.metadata(["identity.agencies.admin"]), ("x-request-id", REQUEST_ID)),
            )
        async with sessions() as session:
            stored = EventEnvelope.FromString((await session.execute(select(outbox.c.envelope))).scalar_one())
        assert stored.correlation_id == REQUEST_ID  # written by the RPC's transaction
        assert await relay.publish_pending() == 1

        consumed = await _next(seen)
        assert consumed.id == stored.id and consumed.correlation_id == REQUEST_ID
        follow_up = await _next(emitted)
        assert follow_up.type == "lienthong.notify.v1.NotificationDelivered"
        assert follow_up.correlation_id == REQUEST_ID  # envelope() in the consumer took it from the context
        lines = [json.loads(line) for line in consumer_log.getvalue().splitlines()]
        assert [(line["msg"], line["request_id"]) for line in lines] == [("welcome mail sent", REQUEST_ID)]
    finally:
        await engine.dispose()


async def test_an_event_without_correlation_gives_its_handler_its_own_id(bus: Bus) -> None:
    from lienthong_runtime.request_context import current_request_id

    got: asyncio.Queue[str] = asyncio.Queue()

    async def handler(event: EventEnvelope) -> None:
        await got.put(current_request_id())

    await bus.subscribe("corr-bare", ["lienthong.identity.v1.TokenRevoked"], handler)
    event = envelope("identity", identity_events.TokenRevoked(token_id="t-1"))
    assert event.correlation_id == ""  # published outside of any request
    await bus.publish(event)
    assert await asyncio.wait_for(got.get(), timeout=10) == event.id
    assert current_request_id() == ""  # the handler's context did not leak
