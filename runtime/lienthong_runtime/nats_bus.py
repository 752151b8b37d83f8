"""The production bus: NATS JetStream.

Layout (``<ns>`` is the optional namespace, for several environments or tests on one NATS):

* stream ``LIENTHONG[_<NS>]``, subjects ``[<ns>.]lienthong.*.*.*.*``: every event, on its type name followed by
  its agency (``lienthong.payment.v1.PaymentSucceeded.<agency_id>``, ``_`` for platform-wide events), so that
  NATS permissions can give an agency its own events only; file storage, ``max_age`` retention, duplicate window.
* stream ``..._DLQ``, subjects ``[<ns>.]lienthong.dlq.<consumer>``: events a consumer gave up on, with headers
  saying why; kept ``dlq_max_age``.
* stream ``..._REPLAY`` (work queue), subjects ``[<ns>.]lienthong.replay.<consumer>``: events an operator hands
  back to one consumer (``lienthong events dlq replay`` / ``lienthong events replay``).

Each subscribing service owns a durable pull consumer named after it on the event stream and one named
``<consumer>_replay`` on the replay stream. A message is acknowledged only after the handler returned (the
handler commits its transaction first), nak'ed with a growing delay when it raised, and after ``max_deliver``
failed deliveries published to the dead-letter subject and terminated.

Options (query of the bus URL, e.g. ``nats://127.0.0.1:4222?max_deliver=8``): ``stream``, ``namespace``,
``max_deliver`` (5), ``ack_wait`` (30 s: a handler must finish within it), ``nak_delay`` (1 s, doubled per
failure, capped at 60 s), ``duplicate_window`` (600 s), ``max_age`` (7 days), ``dlq_max_age`` (30 days),
``consumer_idle`` (7 days: a durable consumer nobody pulled from that long is removed),
``publish_timeout`` (5 s), ``batch`` (16), ``replicas`` (1), ``deliver`` (``all``: a new consumer starts at the
oldest retained event; ``new``: at the next one).

The duplicate window is 10 minutes, not JetStream's default 2: the relay re-publishes a row whose PubAck it never
saw (timeout, bus restart) or whose ``published_at`` it could not record (database failover), and its retries
back off to 5 s. Ten minutes covers a NATS restart or a PostgreSQL failover plus that backoff many times over at
the cost of remembering ten minutes of ids; anything re-published later still reaches consumers only once in
effect, because they deduplicate by event id themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import nats
import nats.errors
import nats.js.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api

from lienthong.common.v1.events_pb2 import EventEnvelope

from . import metrics
from .bus import Handler, bus_url_options, deliver, redelivery_delay
from .nats_operations import EVENTS, JetStreamOperations, JetStreamOptions

__all__ = ["JetStreamBus", "JetStreamOptions", "event_subject"]

log = logging.getLogger("lienthong.events.nats")

_EVENT_TYPE = re.compile(r"^lienthong\.[a-z_]+\.v[0-9]+\.[A-Za-z0-9]+$")
_CONSUMER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
#: Every event subject: ``lienthong.<service>.v<N>.<Event>.<agency>``.


def event_subject(event: EventEnvelope) -> str:
    """``<type>.<agency>``: the agency id as a subject token, ``_`` when platform-wide. An id that is not a safe
    token (ids are uuids, so this should not happen) becomes ``x`` and a hash of it, never a wildcard."""
    agency = event.agency_id or "_"
    if not _TOKEN.match(agency):
        agency = "x" + hashlib.sha256(agency.encode()).hexdigest()[:24]
    return f"{event.type}.{agency}"


@dataclass(frozen=True)
class _Subscription:
    consumer: str
    durable: str
    stream: str
    filter: str
    types: frozenset[str]
    handler: Handler


class JetStreamBus(JetStreamOperations):
    """:class:`~lienthong_runtime.events.Bus` on NATS JetStream; connects on first use and reconnects forever."""

    def __init__(self, url: str) -> None:
        servers, query = bus_url_options(url)
        self.servers = [s.strip() for s in servers.split(",")]
        self.options = JetStreamOptions.from_query(query)
        self._nc: nats.NATS | None = None
        self._js: JetStreamContext | None = None
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    # -- connection and streams -------------------------------------------------------------------------------

    async def jetstream(self) -> JetStreamContext:
        """The JetStream context, connecting and creating the streams on first use."""
        if self._js is not None and self._nc is not None and not self._nc.is_closed:
            return self._js
        async with self._lock:
            if self._js is None or self._nc is None or self._nc.is_closed:
                nc = await asyncio.wait_for(
                    nats.connect(
                        servers=self.servers,
                        name="lienthong",
                        connect_timeout=2,
                        allow_reconnect=True,
                        max_reconnect_attempts=-1,
                        reconnect_time_wait=0.5,
                        error_cb=_quiet,
                        disconnected_cb=self._disconnected,
                        reconnected_cb=_reconnected,
                    ),
                    timeout=5,
                )
                js = nc.jetstream(timeout=self.options.publish_timeout)
                try:
                    await self._ensure_streams(js)
                except BaseException:
                    await nc.close()
                    raise
                self._nc, self._js = nc, js
        return self._js

    async def _ensure_streams(self, js: JetStreamContext) -> None:
        o = self.options
        for name, subject, max_age, retention in (
            (o.event_stream, EVENTS, o.max_age, api.RetentionPolicy.LIMITS),
            (o.dlq_stream, "lienthong.dlq.*", o.dlq_max_age, api.RetentionPolicy.LIMITS),
            (o.replay_stream, "lienthong.replay.*", o.max_age, api.RetentionPolicy.WORK_QUEUE),
        ):
            config = api.StreamConfig(
                name=name,
                subjects=[o.subject(subject)],
                max_age=max_age,
                retention=retention,
                storage=api.StorageType.FILE,
                num_replicas=o.replicas,
                duplicate_window=o.duplicate_window,
            )
            await _ensure_stream(js, config)

    # -- Bus ----------------------------------------------------------------------------------------------------

    async def publish(self, event: EventEnvelope) -> None:
        """Store ``event`` in the stream (waits for the PubAck); a repeated id within the window is dropped."""
        if not _EVENT_TYPE.match(event.type):
            raise ValueError(f"not a v1 event type name: {event.type!r}")
        js = await self.jetstream()
        try:
            await js.publish(
                self.options.subject(event_subject(event)),
                event.SerializeToString(),
                stream=self.options.event_stream,
                headers={"Nats-Msg-Id": event.id},
            )
        except nats.js.errors.NoStreamResponseError:
            await self._ensure_streams(js)  # the stream was removed (new server, operator): recreate it
            raise  # the relay publishes the row again on its next pass

    async def subscribe(self, consumer: str, types: Sequence[str], handler: Handler) -> None:
        """Deliver events of ``types`` (all if empty) to ``handler`` through the durable consumer ``consumer``
        (and operator replays through ``<consumer>_replay``). Returns at once; delivery starts as soon as NATS
        answers and survives NATS restarts."""
        if not _CONSUMER.match(consumer):
            raise ValueError(f"consumer names are 1-64 letters, digits, '_' or '-': {consumer!r}")
        o = self.options
        wanted = frozenset(types)
        for durable, stream, subject in (
            (consumer, o.event_stream, o.subject(EVENTS)),
            (f"{consumer}_replay", o.replay_stream, o.subject(f"lienthong.replay.{consumer}")),
        ):
            spec = _Subscription(consumer, durable, stream, subject, wanted, handler)
            self._tasks.append(asyncio.create_task(self._consume(spec), name=f"bus-consumer-{durable}"))

    async def close(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._nc is not None and not self._nc.is_closed:
            with contextlib.suppress(Exception):  # consumers are stopped; nothing left to drain
                await self._nc.close()
        self._nc = self._js = None
        self._closing = False

    async def _disconnected(self) -> None:
        if not self._closing:
            log.warning("disconnected from NATS; reconnecting")

    # -- delivery -----------------------------------------------------------------------------------------------

    async def _consume(self, spec: _Subscription) -> None:
        backoff = 0.2
        pull: JetStreamContext.PullSubscription | None = None
        while True:
            try:
                if pull is None:
                    pull = await self._bind(spec)
                try:
                    messages = await pull.fetch(self.options.batch, timeout=2)
                except (nats.errors.TimeoutError, TimeoutError):
                    await pull.consumer_info()  # an idle moment: make sure the consumer still exists
                    continue
                for msg in messages:
                    await self._handle(spec, msg)
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning(
                    "bus consumer interrupted; retrying", exc_info=True, extra={"consumer": spec.durable}
                )
                if pull is not None:
                    with contextlib.suppress(Exception):
                        await pull.unsubscribe()
                pull = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _bind(self, spec: _Subscription) -> JetStreamContext.PullSubscription:
        js = await self.jetstream()
        o = self.options
        config = api.ConsumerConfig(
            durable_name=spec.durable,
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=o.ack_wait,
            max_deliver=-1,  # the bus counts deliveries itself so that the last failure can dead-letter
            filter_subject=spec.filter,
            max_ack_pending=1000,
            inactive_threshold=o.consumer_idle,
            deliver_policy=api.DeliverPolicy.NEW if o.deliver == "new" else api.DeliverPolicy.ALL,
        )
        try:
            info = await js.consumer_info(spec.stream, spec.durable)
            if info.config.ack_wait != o.ack_wait:
                await js.add_consumer(spec.stream, config)  # an update of an editable field
        except nats.js.errors.NotFoundError:
            with contextlib.suppress(nats.js.errors.BadRequestError):  # created meanwhile by another replica
                await js.add_consumer(spec.stream, config)
        return await js.pull_subscribe_bind(durable=spec.durable, stream=spec.stream)

    async def _handle(self, spec: _Subscription, msg: Msg) -> None:
        deliveries = msg.metadata.num_delivered
        metrics.BUS_PENDING.labels(spec.consumer).set(msg.metadata.num_pending or 0)
        try:
            event = EventEnvelope.FromString(msg.data)
        except Exception:
            await self._dead_letter(spec, msg, "unparsable envelope", deliveries, "")
            return
        if spec.types and event.type not in spec.types:
            await msg.ack()
            return
        if deliveries > self.options.max_deliver:  # earlier attempts died without an answer (crash, ack_wait)
            await self._dead_letter(spec, msg, "no answer from the handler", deliveries, event.type)
            return
        try:
            await deliver(spec.handler, event)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await msg.nak()
            raise
        except Exception as exc:
            log.warning(
                "event handler failed",
                exc_info=True,
                extra={"consumer": spec.consumer, "event_id": event.id, "attempt": deliveries},
            )
            outcome = "dead_letter" if deliveries >= self.options.max_deliver else "retry"
            metrics.BUS_HANDLED.labels(spec.consumer, outcome).inc()
            if deliveries >= self.options.max_deliver:
                await self._dead_letter(
                    spec, msg, f"handler raised {type(exc).__name__}", deliveries, event.type
                )
            else:
                await msg.nak(delay=redelivery_delay(self.options.nak_delay, deliveries))
            return
        await msg.ack()
        metrics.BUS_HANDLED.labels(spec.consumer, "ok").inc()

    async def _dead_letter(
        self, spec: _Subscription, msg: Msg, reason: str, deliveries: int, event_type: str
    ) -> None:
        meta = msg.metadata
        js = await self.jetstream()
        await js.publish(
            self.options.subject(f"lienthong.dlq.{spec.consumer}"),
            msg.data,
            stream=self.options.dlq_stream,
            headers={
                # one dead letter per stored message, even if terminating it fails and it comes back
                "Nats-Msg-Id": f"{meta.stream}:{meta.sequence.stream}:{spec.consumer}",
                "Lienthong-Consumer": spec.consumer,
                "Lienthong-Reason": reason,
                "Lienthong-Deliveries": str(deliveries),
                "Lienthong-Type": event_type,
                "Lienthong-Origin": f"{meta.stream}:{meta.sequence.stream}",
            },
        )
        await msg.term()
        log.error("event dead-lettered", extra={"consumer": spec.consumer, "reason": reason})


async def _ensure_stream(js: JetStreamContext, config: api.StreamConfig) -> None:
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except nats.js.errors.NotFoundError:
        try:
            await js.add_stream(config)
        except nats.js.errors.BadRequestError:  # created meanwhile by another service with other options
            await js.stream_info(config.name)


def _parse(data: bytes) -> EventEnvelope:
    return EventEnvelope.FromString(data)


async def _quiet(exc: Exception) -> None:
    log.debug("nats connection error: %s", type(exc).__name__)


async def _reconnected() -> None:
    log.info("reconnected to NATS")
