"""Payment's Prometheus metrics: payments entering each state."""

from prometheus_client import Counter

from lienthong_runtime.metrics import REGISTRY

TRANSITIONS = Counter(
    "lienthong_payment_transitions_total",
    "Payments entering a state (CREATED on creation, then each recorded transition), as written to the database.",
    ["state"],
    registry=REGISTRY,
)
