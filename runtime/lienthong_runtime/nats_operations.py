"""What operators do with the JetStream bus (``lienthong events ...``): list and replay dead letters, replay
stored events to one consumer, and report streams and consumers. Mixed into
:class:`~lienthong_runtime.nats_bus.JetStreamBus`, which provides ``options`` and ``jetstream()``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api

from lienthong.common.v1.events_pb2 import EventEnvelope

from .bus import DeadLetter

#: Every event subject below the namespace: ``lienthong.<service>.v<N>.<Event>.<agency>``.
EVENTS = "lienthong.*.*.*.*"


@dataclass(frozen=True)
class JetStreamOptions:
    """Bus options, from the query of the bus URL."""

    stream: str = "LIENTHONG"
    namespace: str = ""
    max_deliver: int = 5
    ack_wait: float = 30.0
    nak_delay: float = 1.0
    duplicate_window: float = 600.0
    max_age: float = 7 * 86400.0
    #: A durable consumer nobody pulled from for this long is removed (per-replica names must not pile up).
    consumer_idle: float = 7 * 86400.0
    dlq_max_age: float = 30 * 86400.0
    publish_timeout: float = 5.0
    batch: int = 16
    replicas: int = 1
    deliver: str = "all"

    @classmethod
    def from_query(cls, query: dict[str, str]) -> JetStreamOptions:
        kinds = {f.name: f.type for f in fields(cls)}
        unknown = set(query) - set(kinds)
        if unknown:
            raise ValueError(f"unknown bus option(s): {', '.join(sorted(unknown))}")
        cast = {"int": int, "float": float, "str": str}
        return cls(**{k: cast[str(kinds[k])](v) for k, v in query.items()})

    @property
    def event_stream(self) -> str:
        return f"{self.stream}_{self.namespace.upper()}" if self.namespace else self.stream

    @property
    def dlq_stream(self) -> str:
        return f"{self.event_stream}_DLQ"

    @property
    def replay_stream(self) -> str:
        return f"{self.event_stream}_REPLAY"

    def subject(self, tail: str) -> str:
        return f"{self.namespace}.{tail}" if self.namespace else tail


class JetStreamOperations:
    """Operator actions on the event, dead-letter and replay streams."""

    options: JetStreamOptions

    async def jetstream(self) -> JetStreamContext:
        raise NotImplementedError

    async def list_dead_letters(self, consumer: str | None = None, limit: int = 100) -> list[DeadLetter]:
        """Dead letters (of one consumer, or all), oldest first."""
        subject = self.options.subject(f"lienthong.dlq.{consumer or '*'}")
        letters = []
        async for msg in self._read(self.options.dlq_stream, subject, limit=limit):
            headers = msg.headers or {}
            letters.append(
                DeadLetter(
                    seq=msg.metadata.sequence.stream,
                    consumer=headers.get("Lienthong-Consumer", ""),
                    event=EventEnvelope.FromString(msg.data),
                    reason=headers.get("Lienthong-Reason", ""),
                    deliveries=int(headers.get("Lienthong-Deliveries", "0")),
                    time=msg.metadata.timestamp,
                )
            )
        return letters

    async def replay_dead_letters(self, consumer: str, seqs: Sequence[int] | None = None) -> int:
        """Hand ``consumer``'s dead letters (those with the given DLQ ``seqs``, or all) back to it through its
        replay consumer, then delete them from the dead-letter stream."""
        js = await self.jetstream()
        count = 0
        for letter in await self.list_dead_letters(consumer, limit=1_000_000):
            if seqs is not None and letter.seq not in seqs:
                continue
            await self._to_replay(
                js, consumer, letter.event.SerializeToString(), f"dlq:{self.options.dlq_stream}:{letter.seq}"
            )
            await js.delete_msg(self.options.dlq_stream, letter.seq)
            count += 1
        return count

    async def replay(
        self,
        consumer: str,
        *,
        since_seq: int | None = None,
        since_time: datetime | None = None,
        types: Sequence[str] = (),
    ) -> int:
        """Deliver stored events again to ``consumer`` from a stream sequence or a time; idempotent consumers
        skip what they already processed, so this is a safe catch-up after restoring a consumer's database."""
        js = await self.jetstream()
        last = (await js.stream_info(self.options.event_stream)).state.last_seq
        count = 0
        async for msg in self._read(
            self.options.event_stream,
            self.options.subject(EVENTS),
            since_seq=since_seq,
            since_time=since_time,
            until_seq=last,
        ):
            if types and EventEnvelope.FromString(msg.data).type not in types:
                continue
            await self._to_replay(js, consumer, msg.data, None)
            count += 1
        return count

    async def _to_replay(self, js: JetStreamContext, consumer: str, data: bytes, msg_id: str | None) -> None:
        await js.publish(
            self.options.subject(f"lienthong.replay.{consumer}"),
            data,
            stream=self.options.replay_stream,
            headers={"Nats-Msg-Id": msg_id} if msg_id else None,
        )

    async def _read(
        self,
        stream: str,
        subject: str,
        *,
        since_seq: int | None = None,
        since_time: datetime | None = None,
        until_seq: int | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Msg]:
        """Messages of ``stream`` on ``subject`` through a short-lived unacknowledged consumer."""
        js = await self.jetstream()
        config = api.ConsumerConfig(ack_policy=api.AckPolicy.NONE, inactive_threshold=30.0)
        if since_seq is not None:
            config.deliver_policy, config.opt_start_seq = api.DeliverPolicy.BY_START_SEQUENCE, since_seq
        elif since_time is not None:
            config.deliver_policy, config.opt_start_time = api.DeliverPolicy.BY_START_TIME, since_time
        pull = await js.pull_subscribe(subject, stream=stream, config=config)
        seen = 0
        try:
            while limit is None or seen < limit:
                try:
                    batch = await pull.fetch(min(100, limit - seen) if limit else 100, timeout=1)
                except (nats.errors.TimeoutError, TimeoutError):
                    return
                for msg in batch:
                    if until_seq is not None and msg.metadata.sequence.stream > until_seq:
                        return
                    seen += 1
                    yield msg
                if batch and batch[-1].metadata.num_pending == 0:
                    return
        finally:
            with contextlib.suppress(Exception):
                await pull.unsubscribe()

    async def status(self) -> dict[str, Any]:
        """Streams (messages, sequences, bytes) and their consumers (pending, waiting for ack, redelivered)."""
        js = await self.jetstream()
        report: dict[str, Any] = {}
        for name in (self.options.event_stream, self.options.dlq_stream, self.options.replay_stream):
            info = await js.stream_info(name)
            consumers = await js.consumers_info(name)
            report[name] = {
                "subjects": info.config.subjects,
                "messages": info.state.messages,
                "bytes": info.state.bytes,
                "first_seq": info.state.first_seq,
                "last_seq": info.state.last_seq,
                "duplicate_window_s": info.config.duplicate_window,
                "consumers": {
                    c.name: {
                        "pending": c.num_pending,
                        "ack_pending": c.num_ack_pending,
                        "redelivered": c.num_redelivered,
                        "waiting": c.num_waiting,
                        "delivered_seq": c.delivered.stream_seq if c.delivered else 0,
                        "ack_floor_seq": c.ack_floor.stream_seq if c.ack_floor else 0,
                    }
                    for c in consumers
                    if c.config.durable_name
                },
            }
        return report
