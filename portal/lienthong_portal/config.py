"""Settings of the citizen portal (environment variables ``LIENTHONG_PORTAL_*``)."""

from pydantic import SecretStr

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("PORTAL")

    #: gRPC port: the portal serves only grpc.health.v1 there (for probes); its pages are on ``http_port``.
    port: int = 50070
    http_port: int = 8070
    #: The front door the portal calls, like any other consumer (``host:port`` of the gateway or HAProxy).
    gateway_target: str = "127.0.0.1:50051"
    #: TLS to the front door: a CA bundle file (PEM); unset means plaintext (embedded mode, tests).
    gateway_ca_file: str | None = None
    #: Host name expected in the front door's certificate when it differs from the target's host (TLS only).
    gateway_server_name: str | None = None
    #: AES-256-GCM keyring that seals the session cookie: ``kid:base64key[,kid:base64key...]``; the last is
    #: active, older ones still open cookies issued before a rotation. Required unless ``dev_mode``.
    session_keys: SecretStr | None = None
    #: Minutes a signed-in session lasts without activity (each page view extends it).
    session_idle_minutes: int = 30
    #: Cookies carry ``Secure`` (and the ``__Host-`` name prefix). Only the embedded mode on plain
    #: http://localhost turns this off; ``lienthong dev`` does so.
    secure_cookies: bool = True
    #: Most access-log entries fetched for one page or CSV (newest first); older ones need a narrower period.
    max_log_entries: int = 2000
