"""Prometheus metrics per method: call count by status code and a latency histogram."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

RPC_CALLS = Counter(
    "lienthong_grpc_server_handled_total",
    "RPCs completed on the server, by service, method and status code.",
    ["service", "grpc_method", "grpc_code"],
    registry=REGISTRY,
)
RPC_LATENCY = Histogram(
    "lienthong_grpc_server_handling_seconds",
    "Time to handle an RPC, by service and method.",
    ["service", "grpc_method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)


def exposition() -> bytes:
    """The text exposition of every metric of this process."""
    return generate_latest(REGISTRY)
