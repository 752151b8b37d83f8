"""Callbacks over HTTP behind the SSRF guard: the URL check when an agency sets its callback, and the connector
that checks every address again when the POST connects (a name re-bound to a private address is not reached)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import aiohttp

from lienthong_runtime import outbound, validation

from ..domain.callbacks import signature, url_problem

SIGNATURE_HEADER = "X-Lienthong-Signature"


class CallbackGuard:
    """Which callback URLs and receivers are allowed: public addresses only, except the deployment's
    ``allowed_hosts`` (and loopback in development with ``allow_http_localhost``)."""

    def __init__(self, *, allow_http_localhost: bool = False, allowed_hosts: Iterable[str] = ()) -> None:
        self.allow_http_localhost = allow_http_localhost
        self.allowed_hosts = list(allowed_hosts)

    def receivers(self) -> list[str]:
        """Private receivers the sender may connect to: the allow-list, and loopback in development."""
        loopback = ["localhost", "127.0.0.0/8", "::1/128"] if self.allow_http_localhost else []
        return [*self.allowed_hosts, *loopback]

    async def problem(self, url: str) -> str | None:
        """Why ``url`` cannot receive callbacks, or None: the URL rules, then every resolved address."""
        problem = url_problem(url, self.allow_http_localhost, self.allowed_hosts)
        if problem:
            return problem
        parts = urlsplit(url)
        host = parts.hostname or ""
        if self.allow_http_localhost and host in validation.LOCAL_HOSTS:
            return None
        try:
            await outbound.resolve_public(host, parts.port or 443, validation.AllowList(self.allowed_hosts))
        except validation.Invalid as exc:
            return str(exc)
        return None

    def connector(self) -> aiohttp.BaseConnector:
        return outbound.public_connector(self.receivers())


class HttpCallbackPoster:
    """POSTs signed callback bodies; one HTTP client for the service's life, opened on first use."""

    def __init__(
        self, guard: CallbackGuard, *, timeout_s: float = 5.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.guard = guard
        self.timeout_s = timeout_s
        self.clock = clock
        self._http: aiohttp.ClientSession | None = None

    async def post(self, url: str, secret: str, body: bytes) -> bool:
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s), connector=self.guard.connector()
            )
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, int(self.clock()), body),
        }
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, OSError):
            async with self._http.post(url, data=body, headers=headers, allow_redirects=False) as response:
                return 200 <= response.status < 300
        return False

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
