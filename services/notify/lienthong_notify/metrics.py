"""Notify's Prometheus metrics: the delivery queue and what became of each attempt."""

from prometheus_client import Counter, Gauge

from lienthong_runtime.metrics import REGISTRY

QUEUE_DEPTH = Gauge(
    "lienthong_notify_queue_depth",
    "Notifications on the delivery queue (waiting, claimed or due for a retry).",
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "lienthong_notify_deliveries_total",
    "Delivery attempts by channel and outcome (a final status such as DELIVERED or PERMANENT_FAILURE, "
    "HANDED_OVER to an SMS provider, or RETRY).",
    ["channel", "outcome"],
    registry=REGISTRY,
)
