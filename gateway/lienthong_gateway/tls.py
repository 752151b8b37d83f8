"""Transport security: TLS on the public port, reloaded from disk without a restart, and (mutual) TLS to the
services.

grpc asks the certificate fetcher for a configuration at each new TLS handshake; the fetcher answers None
(keep the current one) unless the files' modification time or size changed, so renewing a certificate is
"write the new files", and existing connections keep working.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from .config import Settings
from .upstreams import CHANNEL_OPTIONS

log = logging.getLogger("lienthong.gateway.tls")


class ReloadingCertificate:
    """The public port's certificate and key (and optional client CA), re-read when the files change."""

    def __init__(self, cert_file: str, key_file: str, client_ca_file: str | None = None) -> None:
        self.files = [Path(cert_file), Path(key_file)] + ([Path(client_ca_file)] if client_ca_file else [])
        self._stamp = self._current_stamp()
        self._initial = self._configuration()

    def _current_stamp(self) -> tuple[tuple[int, int], ...]:
        return tuple((s.st_mtime_ns, s.st_size) for s in (os.stat(f) for f in self.files))

    def _configuration(self) -> grpc.ServerCertificateConfiguration:
        chain, key = self.files[0].read_bytes(), self.files[1].read_bytes()
        ca = self.files[2].read_bytes() if len(self.files) > 2 else None
        return grpc.ssl_server_certificate_configuration([(key, chain)], root_certificates=ca)

    def fetch(self) -> grpc.ServerCertificateConfiguration | None:
        """Called by grpc at each handshake: a new configuration when the files changed, else None."""
        try:
            stamp = self._current_stamp()
            if stamp == self._stamp:
                return None
            configuration = self._configuration()
        except (OSError, ValueError):
            log.warning("TLS certificate files unreadable; keeping the current certificate")
            return None
        self._stamp = stamp
        log.info("TLS certificate reloaded")
        return configuration

    def credentials(self) -> grpc.ServerCredentials:
        # The fetcher may return None ("unchanged"): grpc documents it, grpc-stubs does not allow it.
        fetch: Any = self.fetch
        mutual = len(self.files) > 2
        return grpc.dynamic_ssl_server_credentials(self._initial, fetch, require_client_authentication=mutual)


def server_certificate(settings: Settings) -> ReloadingCertificate | None:
    if not settings.tls_cert_file or not settings.tls_key_file:
        return None
    return ReloadingCertificate(settings.tls_cert_file, settings.tls_key_file, settings.tls_client_ca_file)


def channel_factory(settings: Settings) -> Callable[[str], grpc.aio.Channel]:
    """How the gateway opens a channel to a service: plaintext, TLS (CA set) or mutual TLS (CA + cert + key)."""
    if not settings.upstream_ca_file:
        return lambda target: grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS)
    ca = Path(settings.upstream_ca_file).read_bytes()
    key = Path(settings.upstream_key_file).read_bytes() if settings.upstream_key_file else None
    chain = Path(settings.upstream_cert_file).read_bytes() if settings.upstream_cert_file else None
    credentials = grpc.ssl_channel_credentials(ca, key, chain)
    options = CHANNEL_OPTIONS
    if settings.upstream_server_name:
        options = (*options, ("grpc.ssl_target_name_override", settings.upstream_server_name))
    return lambda target: grpc.aio.secure_channel(target, credentials, options=options)
