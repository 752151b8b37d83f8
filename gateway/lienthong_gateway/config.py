"""Settings of the gateway (environment variables ``LIENTHONG_GATEWAY_*``; dicts and models as JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from lienthong_runtime.config import ServiceSettings, service_config


class Budget(BaseModel):
    """A token bucket: ``rate`` calls per second sustained, bursts of up to ``burst`` calls."""

    rate: float
    burst: float


class RatePolicy(BaseModel):
    """Budgets of one agency and of each of its clients, per method class (``read`` / ``write``)."""

    agency: dict[str, Budget] = Field(
        default_factory=lambda: {"read": Budget(rate=2000, burst=4000), "write": Budget(rate=500, burst=1000)}
    )
    client: dict[str, Budget] = Field(
        default_factory=lambda: {"read": Budget(rate=1000, burst=2000), "write": Budget(rate=200, burst=400)}
    )


class Settings(ServiceSettings):
    model_config = service_config("GATEWAY")

    port: int = 50051
    http_port: int = 8051
    #: The REST/JSON face, OpenAPI, GovStack routes and the identity HTTP proxy: HTTP/1.1 and HTTP/2 (h2c, or
    #: ALPN h2 with the gateway's TLS certificate) on one port; -1 switches it off.
    rest_host: str = "127.0.0.1"
    rest_port: int = 8080
    #: identity's HTTP side server, where ``/oauth2/*`` and ``/.well-known/*`` are passed on to.
    identity_http_url: str = "http://127.0.0.1:8061"
    #: Largest REST request body accepted (bytes); larger ones get 413, as gRPC refuses larger messages.
    rest_max_body: int = 8 * 1024 * 1024
    #: Upstream replicas per building block (identity, registry, payment, notify, documents), e.g.
    #: {"registry": ["10.0.0.5:50062", "10.0.0.6:50062"]} (JSON in LIENTHONG_GATEWAY_UPSTREAMS). ``unix:`` works.
    upstreams: dict[str, list[str]] = Field(default_factory=dict)
    #: Seconds between grpc.health.v1 checks of each replica; a replica failing one is skipped until it passes.
    health_interval: float = 1.0
    #: Retry a read (Get/List/Search/...) once on another replica when the first answers UNAVAILABLE.
    retry_reads: bool = True
    #: Leeway in seconds on ``exp``/``nbf``.
    token_leeway: float = 30.0
    #: Mutual TLS to the services: CA that signed their certificates, and the gateway's client certificate.
    upstream_ca_file: str | None = None
    upstream_cert_file: str | None = None
    upstream_key_file: str | None = None
    #: Host name expected in the services' certificates when it differs from the address.
    upstream_server_name: str | None = None
    #: Audit stream: a file path (JSON lines, appended), ``-`` for stdout, empty to switch off.
    audit_path: str = "-"
    #: Shared rate-limit counters; empty or unreachable -> per-replica buckets of budget / ``replicas``.
    redis_url: str = "redis://127.0.0.1:6379/0"
    rate_limit_prefix: str = "lt:rl"
    #: Gateway replicas sharing the traffic, used to split budgets while Redis is unreachable.
    replicas: int = 1
    #: Default budgets, and overrides per agency id.
    rate_limits: RatePolicy = Field(default_factory=RatePolicy)
    agency_rate_limits: dict[str, RatePolicy] = Field(default_factory=dict)
    #: Calls to public methods without a token: a budget per caller address, and one for all of them.
    anonymous_budget: Budget = Field(default_factory=lambda: Budget(rate=20, burst=40))
    anonymous_total_budget: Budget = Field(default_factory=lambda: Budget(rate=1000, burst=2000))
    #: Deadline given to upstream calls when the caller sets none (seconds), so a stuck service frees the call.
    default_timeout: float = 30.0
