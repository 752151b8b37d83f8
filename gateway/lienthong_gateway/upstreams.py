"""Upstream replicas: one long-lived channel each, round robin over the healthy ones, health-aware failover.

A replica is marked down when a call to it ends UNAVAILABLE or when its ``grpc.health.v1`` check fails; the
next pick skips it. The health loop checks every replica every ``interval`` seconds, so a dead replica is
skipped within one interval (or at once after a failed call) and taken back as soon as it answers SERVING.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health_pb2

log = logging.getLogger("lienthong.gateway.upstreams")

CHANNEL_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.so_reuseport", 0),
    ("grpc.max_receive_message_length", 8 * 1024 * 1024),
    ("grpc.max_send_message_length", 8 * 1024 * 1024),
    # A replica that comes back is reconnected within about a second, not after minutes of backoff.
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 1000),
    ("grpc.keepalive_time_ms", 30_000),
)
_HEALTH_CHECK = "/grpc.health.v1.Health/Check"
_SERVING = health_pb2.HealthCheckResponse.SERVING


class Replica:
    """One address of a building block, with its channel and cached multi-callables (bytes in, bytes out)."""

    def __init__(self, block: str, target: str, channel: grpc.aio.Channel) -> None:
        self.block = block
        self.target = target
        self.channel = channel
        self.up = True
        self._unary_unary: dict[str, Any] = {}
        self._streams: dict[tuple[str, bool, bool], Any] = {}

    def unary_unary(self, method: str) -> Any:
        callable_ = self._unary_unary.get(method)
        if callable_ is None:
            callable_ = self._unary_unary[method] = self.channel.unary_unary(method, None, None)
        return callable_

    def streaming(self, method: str, client_streaming: bool, server_streaming: bool) -> Any:
        key = (method, client_streaming, server_streaming)
        callable_ = self._streams.get(key)
        if callable_ is None:
            factory = {
                (False, True): self.channel.unary_stream,
                (True, False): self.channel.stream_unary,
                (True, True): self.channel.stream_stream,
            }[(client_streaming, server_streaming)]
            callable_ = self._streams[key] = factory(method, None, None)
        return callable_

    def mark_down(self) -> None:
        if self.up:
            log.warning("upstream replica down", extra={"block": self.block, "target": self.target})
        self.up = False


class Pool:
    """The replicas of one building block, picked round robin among those up."""

    def __init__(self, block: str, replicas: Sequence[Replica]) -> None:
        self.block = block
        self.replicas = list(replicas)
        self._next = 0

    def pick(self, avoid: Replica | None = None) -> Replica:
        """The next healthy replica (not ``avoid`` if another is up); any replica when none is up."""
        replicas, count = self.replicas, len(self.replicas)
        for _ in range(count):
            replica = replicas[self._next % count]
            self._next += 1
            if replica.up and replica is not avoid:
                return replica
        replica = replicas[self._next % count]
        self._next += 1
        return replica


class Upstreams:
    """Every block's pool, the health loop, and closing the channels."""

    def __init__(
        self,
        upstreams: Mapping[str, Sequence[str]],
        make_channel: Callable[[str], grpc.aio.Channel],
        *,
        interval: float = 1.0,
    ) -> None:
        self.pools = {
            block: Pool(block, [Replica(block, t, make_channel(t)) for t in targets])
            for block, targets in upstreams.items()
            if targets
        }
        self.interval = interval

    def all(self) -> list[Replica]:
        return [replica for pool in self.pools.values() for replica in pool.replicas]

    async def check(self, replica: Replica) -> None:
        """One health check; marks the replica up or down."""
        try:
            reply = await replica.unary_unary(_HEALTH_CHECK)(b"", timeout=max(min(self.interval, 2.0), 0.2))
            serving = health_pb2.HealthCheckResponse.FromString(reply).status == _SERVING
        except (grpc.aio.AioRpcError, ValueError):
            serving = False
        if serving and not replica.up:
            log.info("upstream replica back", extra={"block": replica.block, "target": replica.target})
        if not serving:
            replica.mark_down()
        else:
            replica.up = True

    async def watch(self) -> None:
        """Check every replica every ``interval`` seconds, forever (a background job of the gateway)."""
        while True:
            await asyncio.gather(*(self.check(r) for r in self.all()))
            await asyncio.sleep(self.interval)

    async def close(self) -> None:
        for replica in self.all():
            with contextlib.suppress(Exception):
                await replica.channel.close(None)
