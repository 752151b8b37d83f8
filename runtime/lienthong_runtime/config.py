"""Settings from environment variables (12-factor), one object per service.

Every service subclasses :class:`ServiceSettings` with its own prefix, e.g. ``LIENTHONG_REGISTRY_PORT``.
Secrets can also come from files: ``<NAME>_FILE`` pointing at a file whose content is the value (Docker and
Kubernetes secrets), see :func:`load_settings`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

T = TypeVar("T", bound="ServiceSettings")


class ServiceSettings(BaseSettings):
    """Settings every server has. Subclasses set ``model_config = service_config("IDENTITY")``."""

    model_config = SettingsConfigDict(env_prefix="LIENTHONG_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 50060
    #: Unix socket path to listen on instead of (or besides) host:port; used by tests.
    unix_socket: str | None = None
    #: Port of the HTTP side server (/metrics, /healthz and service routes such as JWKS or callbacks); 0 = off.
    http_port: int = 0
    http_host: str = "127.0.0.1"
    database_url: str = "sqlite+aiosqlite:///./.lienthong/service.db"
    #: Serve gRPC server reflection (useful for grpcurl; switch off where the contract must not be listed).
    reflection: bool = True
    #: Seconds in-flight calls get to finish after SIGTERM.
    grace_period: float = 10.0
    log_level: str = "INFO"
    #: Development only: missing keys are generated into ``data_dir`` instead of refusing to start, and sandbox
    #: conveniences are allowed. ``lienthong dev`` sets it; production never does.
    dev_mode: bool = False
    #: Where dev-mode keys and the embedded mode's files live (default: beside a SQLite database, or .lienthong).
    data_dir: str | None = None
    #: Apply migrations at start-up. Only the embedded mode does this; production runs ``lienthong migrate``.
    migrate_on_start: bool = False
    #: Token verification: issuer and audience expected in access tokens.
    token_issuer: str = "https://identity.lienthong.local"
    token_audience: str = "lienthong"
    #: Where to fetch the JWKS: ``http(s)://.../.well-known/jwks.json`` or ``grpc://host:port``.
    jwks_url: str = "grpc://127.0.0.1:50061"
    #: Event bus: ``memory://`` (embedded, in-process) or ``nats://host:port``.
    bus_url: str = "memory://"
    #: TLS for this server: certificate chain and key files; with a CA file, client certificates are required.
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    tls_client_ca_file: str | None = None
    #: Seconds between database probes (``lienthong_database_up``) of services that have a database.
    database_probe_interval: float = 5.0
    #: Max concurrent RPCs this server handles before queueing (None = unbounded).
    max_concurrent_rpcs: int | None = None
    #: Proxies whose ``x-forwarded-for`` is believed (see ``lienthong_runtime.forwarded``): CIDR networks of the
    #: front door / gateway, and/or a secret the platform's proxies send (``x-lienthong-proxy-secret``). Anyone
    #: else's forwarded headers are ignored: the caller's address is then the connection's peer.
    trusted_proxies: list[str] = Field(default_factory=list)
    proxy_secret: SecretStr | None = None
    extra: dict[str, Any] = Field(default_factory=dict, exclude=True)


def trusted_proxies(settings: ServiceSettings) -> Any:
    """The :class:`~lienthong_runtime.forwarded.TrustedProxies` these settings configure."""
    from .forwarded import TrustedProxies

    return TrustedProxies(settings.trusted_proxies, secret_value(settings.proxy_secret))


def data_folder(settings: ServiceSettings) -> Path:
    """``settings.data_dir``, else the folder of a SQLite database, else ``.lienthong``."""
    if settings.data_dir:
        return Path(settings.data_dir)
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent
    return Path(".lienthong")


def service_config(service: str) -> SettingsConfigDict:
    """The settings config for a service: env prefix ``LIENTHONG_<SERVICE>_``."""
    return SettingsConfigDict(env_prefix=f"LIENTHONG_{service.upper()}_", extra="ignore")


def _apply_file_secrets(cls: type[ServiceSettings], env: dict[str, str]) -> dict[str, str]:
    prefix = str(cls.model_config.get("env_prefix", ""))
    values: dict[str, str] = {}
    for name in cls.model_fields:
        key = f"{prefix}{name}".upper()
        file_key = f"{key}_FILE"
        if key not in env and file_key in env:
            values[name] = Path(env[file_key]).read_text(encoding="utf-8").strip()
    return values


def load_settings(cls: type[T], **overrides: Any) -> T:
    """Build settings from the environment, ``*_FILE`` secrets and explicit overrides (highest priority)."""
    values: dict[str, Any] = _apply_file_secrets(cls, dict(os.environ))
    values.update(overrides)
    return cls(**values)


def secret_value(value: SecretStr | str | None) -> str:
    """The plain text of a secret setting ('' when unset)."""
    if value is None:
        return ""
    return value.get_secret_value() if isinstance(value, SecretStr) else value
