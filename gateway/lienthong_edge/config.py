"""Settings of the engine front door (``LIENTHONG_EDGE_*``).

The policy itself (upstreams, issuer, audience, leeway, rate limits) is the gateway's settings
(``LIENTHONG_GATEWAY_*``), so both front doors read one source of truth; these settings only say how the engine
runs: where it listens, where its files go, its peers, and where the HTTP/JSON face lives.
"""

from __future__ import annotations

from pydantic import Field

from lienthong_runtime.config import ServiceSettings, service_config


class EdgeSettings(ServiceSettings):
    model_config = service_config("EDGE")

    #: Public gRPC (and HTTP/JSON) listener.
    host: str = "127.0.0.1"
    port: int = 50050
    #: HAProxy's Prometheus exporter (``/metrics``); 0 = off.
    metrics_port: int = 8405
    #: Folder of the rendered configuration (haproxy.cfg, lienthong.lua, *.map): a ConfigMap on Kubernetes.
    config_dir: str = "/etc/lienthong-edge"
    #: Folder the agent owns (keys/, revocation maps, kid map): written at run time, kept across reloads.
    state_dir: str = "/var/lib/lienthong-edge"
    #: Key slots: public keys the engine holds at once (identity publishes current, next and retired keys).
    key_slots: int = 4
    #: Runtime API socket (maps), and the master socket (hitless reloads for new keys).
    admin_socket: str = "/var/run/lienthong-edge/admin.sock"
    master_socket: str = "/var/run/lienthong-edge/master.sock"
    #: The Python gateway's HTTP listener, target of /v1/, /oauth2/, /.well-known/ and /openapi; empty = none.
    rest_upstream: str = ""
    #: Engine replicas sharing stick tables, as ``name=host:port``.
    peers: list[str] = Field(default_factory=list)
    #: This replica's peer name; empty = the host name (a StatefulSet pod's name, as HAProxy defaults to).
    peer_name: str = ""
    #: Slots per DNS-resolved upstream (``dns+host:port`` entries): every pod of a headless Service takes calls.
    dns_slots: int = 10
    #: Resolver for ``dns+`` upstreams (``host:port``); empty = the system's /etc/resolv.conf.
    dns_resolver: str = ""
    #: Engine threads (``nbthread``).
    threads: int = 1
    #: Audit lines: ``stdout`` (JSON, one per call) or a syslog address such as ``127.0.0.1:5514``; empty = off.
    audit_log: str = "stdout"
    #: Upstream health checks every so many milliseconds (grpc.health.v1 over h2c).
    check_interval_ms: int = 1000
    #: Seconds a token that passed the checks on its bytes (form, header, signature, required claims, iss, aud) is
    #: remembered by this engine process, which then skips those checks for it (by SHA-256 of the whole token;
    #: never shared by peers, emptied by a reload); 0 = check everything on every call.
    verify_cache_s: int = 60
    #: Mutual TLS on the public listener: certificate+key PEM (one file, HAProxy's format) and client CA.
    tls_pem_file: str | None = None
    tls_client_ca_file: str | None = None
    #: Where the agent reads keys when it starts (``grpc://identity:50061`` or an HTTPS JWKS URL).
    jwks_url: str = "grpc://127.0.0.1:50061"
