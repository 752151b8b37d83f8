"""The portal's own Prometheus metrics (in the runtime's registry, so ``/metrics`` exposes them)."""

from prometheus_client import Counter

from lienthong_runtime.metrics import REGISTRY

LOGINS = Counter(
    "lienthong_portal_logins_total",
    "Citizen sign-ins through the portal, by outcome (success, refused).",
    ["outcome"],
    registry=REGISTRY,
)
REFUSALS = Counter(
    "lienthong_portal_refusals_total",
    "Portal requests refused, by reason (csrf: bad or missing form token; no_session: no valid session cookie).",
    ["reason"],
    registry=REGISTRY,
)
