"""Identity's Prometheus metrics: the signing keys, so that a stalled rotation is an alert."""

from prometheus_client import Gauge

from lienthong_runtime.metrics import REGISTRY

SIGNING_KEY_ACTIVATED = Gauge(
    "lienthong_identity_signing_key_activated_timestamp_seconds",
    "Unix time at which the current signing key became current.",
    registry=REGISTRY,
)
SIGNING_KEY_ROTATION_INTERVAL = Gauge(
    "lienthong_identity_signing_key_rotation_interval_seconds",
    "Configured automatic rotation interval (0: rotation only by command).",
    registry=REGISTRY,
)
SIGNING_KEYS = Gauge(
    "lienthong_identity_signing_keys",
    "Signing keys by state (next: published ahead of rotation; current; retired: still published; expired).",
    ["state"],
    registry=REGISTRY,
)
