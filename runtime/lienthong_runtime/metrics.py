"""Prometheus metrics of every process: RPCs per method (count by status code, latency), and the health of what
runs beside them (database reachability, outbox backlog, bus consumers, TLS certificate expiry, front-door
refusals). Services add their own metrics to :data:`REGISTRY`. The dashboards and alerts in
``deploy/observability/`` read exactly these names (a test checks them against a live ``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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
DATABASE_UP = Gauge(
    "lienthong_database_up",
    "1 when the service's last database probe (SELECT 1) succeeded, 0 when it failed or timed out.",
    ["service"],
    registry=REGISTRY,
)
DATABASE_PROBE_SECONDS = Gauge(
    "lienthong_database_probe_seconds",
    "Duration of the service's last database probe.",
    ["service"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "lienthong_outbox_pending_events",
    "Events committed to the service's outbox and not yet published to the bus.",
    ["service"],
    registry=REGISTRY,
)
OUTBOX_PUBLISHED = Counter(
    "lienthong_outbox_published_total",
    "Outbox events published to the bus.",
    ["service"],
    registry=REGISTRY,
)
OUTBOX_FAILURES = Counter(
    "lienthong_outbox_publish_failures_total",
    "Outbox relay passes that stopped on an error (bus or database unavailable); the events wait, in order.",
    ["service"],
    registry=REGISTRY,
)
BUS_PENDING = Gauge(
    "lienthong_bus_consumer_pending_events",
    "Events on the bus that a durable consumer has not yet received (its lag), as of its last delivery.",
    ["consumer"],
    registry=REGISTRY,
)
BUS_HANDLED = Counter(
    "lienthong_bus_events_handled_total",
    "Event deliveries to a consumer's handler, by outcome (ok, retry, dead_letter).",
    ["consumer", "outcome"],
    registry=REGISTRY,
)
TLS_CERT_EXPIRY = Gauge(
    "lienthong_tls_certificate_expiry_timestamp_seconds",
    "Unix time at which the server's TLS certificate (first in its chain) expires.",
    ["service"],
    registry=REGISTRY,
)
FRONT_DOOR_REFUSALS = Counter(
    "lienthong_front_door_refusals_total",
    "Calls the front door refused before any service saw them, by ErrorInfo reason.",
    ["reason"],
    registry=REGISTRY,
)


def exposition() -> bytes:
    """The text exposition of every metric of this process."""
    return generate_latest(REGISTRY)
