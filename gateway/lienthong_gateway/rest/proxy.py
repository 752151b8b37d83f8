"""``/oauth2/*`` and ``/.well-known/*`` passed to identity's HTTP server, so one front door serves the OAuth 2.0
token endpoint, the authorization-server metadata, the OpenID discovery document and the JWKS.

Only the headers those endpoints need go through (content type, accept, authorization for client_secret_basic,
request id, trace context); ``x-forwarded-proto`` / ``x-forwarded-host`` tell identity where it was reached.
Identity applies its own audit and throttling; an unreachable identity answers 503 in the AIP-193 shape.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import grpc

from lienthong_runtime.forwarded import FORWARDED_FOR, PROXY_SECRET, TrustedProxies

from .problems import Response, route_error

log = logging.getLogger("lienthong.gateway.rest")

_REQUEST_HEADERS = ("content-type", "accept", "authorization", "x-request-id", "traceparent", "tracestate")
_RESPONSE_HEADERS = (
    "content-type",
    "cache-control",
    "pragma",
    "www-authenticate",
    "retry-after",
    "x-request-id",
)


class IdentityProxy:
    """Relays a request to ``base_url`` (identity's HTTP side server) and its answer back."""

    def __init__(
        self, base_url: str, *, timeout: float = 10.0, proxies: TrustedProxies | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.proxies = proxies or TrustedProxies()
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: dict[str, Any], body: bytes) -> Response:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout, auto_decompress=False)
        headers = {
            name.decode(): value.decode("latin-1")
            for name, value in scope["headers"]
            if name.decode() in _REQUEST_HEADERS
        }
        host = next((v.decode("latin-1") for n, v in scope["headers"] if n in (b"host", b":authority")), "")
        headers["x-forwarded-proto"] = scope.get("scheme", "http")
        client = scope.get("client")
        if client:  # the caller's address by the platform's one rule (identity throttles per address)
            peer = str(client[0])
            peer = f"ipv6:[{peer}]:0" if ":" in peer else f"ipv4:{peer}:0"
            incoming = [(n.decode("latin-1").lower(), v.decode("latin-1")) for n, v in scope["headers"]]
            headers[FORWARDED_FOR] = self.proxies.client_address(peer, incoming)
            if self.proxies.secret:  # proves to identity that this x-forwarded-for may be believed
                headers[PROXY_SECRET] = self.proxies.secret.decode()
        if host:
            headers["x-forwarded-host"] = host
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.base_url + scope["path"] + (f"?{query}" if query else "")
        try:
            async with self._session.request(
                scope["method"], url, data=body or None, headers=headers, allow_redirects=False
            ) as upstream:
                payload = await upstream.read()
                out = [
                    (name.lower().encode(), value.encode("latin-1"))
                    for name, value in upstream.headers.items()
                    if name.lower() in _RESPONSE_HEADERS
                ]
                return upstream.status, payload, out
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("identity HTTP unreachable", extra={"error": type(error).__name__})
            return route_error(
                503,
                grpc.StatusCode.UNAVAILABLE,
                "identity is unreachable; retry",
                "DEPENDENCY_UNAVAILABLE",
                "",
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
