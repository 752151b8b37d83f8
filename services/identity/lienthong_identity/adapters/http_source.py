"""Who is calling over HTTP, and how often: the client address (forwarded headers trusted only from configured
proxies) and a per-address budget for the OAuth endpoints.

The budget mirrors what the gateway applies to anonymous gRPC calls such as ``IssueToken`` (a token bucket per
caller address, 20/s with bursts of 40 by default), so a client that reaches ``POST /oauth2/token`` directly
(not through the front door) is held to the same rate. Behind a trusted proxy (``trusted_proxies`` or the proxy
secret, as for gRPC) the address is the one the proxy forwarded, so one client cannot spend another's budget.
"""

from __future__ import annotations

import math
import re
import uuid

from aiohttp import web

from lienthong_runtime.errors import ResourceExhausted
from lienthong_runtime.forwarded import TrustedProxies
from lienthong_runtime.token_buckets import TokenBuckets

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_SOURCES = 100_000


def client_address(request: web.Request, proxies: TrustedProxies) -> str:
    """The caller's address by the platform's one rule (``lienthong_runtime.forwarded``): the TCP peer, unless
    the peer is a trusted proxy (by network or by the proxy secret); then what that proxy forwarded."""
    peer = request.remote or ""
    headers = [(name.lower(), value) for name, value in request.headers.items()]
    return proxies.client_address(f"ipv6:[{peer}]:0" if ":" in peer else f"ipv4:{peer}:0", headers)[:64]


def request_id(request: web.Request) -> str:
    """The caller's ``X-Request-Id`` when well-formed, else a new one."""
    given = request.headers.get("X-Request-Id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class SourceBudget:
    """A token bucket per caller address, in this process (the runtime's buckets, as the gateway's fallback)."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._buckets = TokenBuckets(MAX_SOURCES)

    def spend(self, source: str) -> None:
        """Take one call from ``source``'s bucket, or raise RESOURCE_EXHAUSTED with the wait."""
        if self.rate <= 0:
            return  # switched off
        granted, wait = self._buckets.take(source, self.rate, self.burst)
        if not granted:
            retry = math.ceil(wait * 1000) / 1000
            raise ResourceExhausted("too many requests from this address", retry_after=retry)
