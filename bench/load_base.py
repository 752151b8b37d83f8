"""What both load backends (:mod:`bench.load`'s grpc workers and :mod:`bench.load_h2load`) build on: the result
shape, bounds and loopback checks, the gRPC frame, percentiles, one sample call, the CPU of child processes."""

from __future__ import annotations

import math
import resource
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import grpc

MAX_DURATION_S = 600.0
MAX_CALLS = 10_000_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
_IDENTITY = None  # grpc passes bytes through unchanged when (de)serializers are None
_REPO_ROOT = Path(__file__).resolve().parent.parent

Metadata = Sequence[tuple[str, str]]


@dataclass
class LoadResult:
    """What one load run measured. Latencies in ms; `rps` counts completed calls, errors included."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    calls: int
    backend: str
    elapsed_s: float = 0.0
    loadgen_cpu_s: float = 0.0  # CPU used by the load generator's own processes (h2load or workers)
    error_sample: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class LoadError(RuntimeError):
    """The load could not be generated at all (bad target, backend missing, workers crashed)."""


def grpc_frame(message: bytes) -> bytes:
    """One gRPC length-prefixed message: compressed flag 0, 4-byte big-endian length, payload."""
    return b"\x00" + len(message).to_bytes(4, "big") + message


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return float(sorted_values[min(rank, len(sorted_values)) - 1])


def _check_target(target: str) -> tuple[str, int]:
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise LoadError(f"target must be host:port, got {target!r}")
    if host not in LOOPBACK_HOSTS:
        raise LoadError(f"load is generated on loopback only, got host {host!r}")
    return host, int(port)


def _check_bounds(duration_s: float | None, count: int | None) -> None:
    if duration_s is None and count is None:
        raise LoadError("give duration_s or count")
    if duration_s is not None and not 0 < duration_s <= MAX_DURATION_S:
        raise LoadError(f"duration_s must be in (0, {MAX_DURATION_S}]")
    if count is not None and not 0 < count <= MAX_CALLS:
        raise LoadError(f"count must be in (0, {MAX_CALLS}]")


async def sample_call(
    target: str, method: str, request_bytes: bytes, metadata: Metadata = (), timeout_s: float = 5.0
) -> bytes:
    """One call with a real grpc.aio client; raises grpc.aio.AioRpcError on a non-OK status."""
    async with grpc.aio.insecure_channel(target, options=[("grpc.so_reuseport", 0)]) as channel:
        call = channel.unary_unary(method, request_serializer=_IDENTITY, response_deserializer=_IDENTITY)
        return await call(request_bytes, metadata=tuple(metadata), timeout=timeout_s)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
