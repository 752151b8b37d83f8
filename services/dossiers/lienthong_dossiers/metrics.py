"""Metrics of the dossiers service (the runtime's registry, served on /metrics)."""

from prometheus_client import Gauge

from lienthong_runtime.metrics import REGISTRY

OPEN_LATE_PARTS = Gauge(
    "lienthong_dossiers_open_late_parts",
    "Dossier parts still open (not paused for a supplement) past their legal deadline, per competent agency; "
    "set by the apology sweep.",
    ["agency"],
    registry=REGISTRY,
)
