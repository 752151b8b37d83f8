"""Who is calling over HTTP, and how often: the client address (forwarded headers trusted only from configured
proxies) and a per-address budget for the OAuth endpoints.

The budget mirrors what the gateway applies to anonymous gRPC calls such as ``IssueToken`` (a token bucket per
caller address, 20/s with bursts of 40 by default), so a client that reaches ``POST /oauth2/token`` directly
(not through the front door) is held to the same rate. Behind a proxy listed in ``http_trusted_proxies`` the
address is the one the proxy forwarded, so one client cannot spend another's budget.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
import uuid
from collections.abc import Iterable

from aiohttp import web

from lienthong_runtime.errors import ResourceExhausted

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_SOURCES = 100_000


def trusted_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """The configured proxies as networks (``10.0.0.5`` or ``10.0.0.0/24``); a bad entry fails at start-up."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(request: web.Request, trusted: tuple[Network, ...]) -> str:
    """The caller's address: the TCP peer, unless the peer is a trusted proxy; then the rightmost address of
    ``X-Forwarded-For`` that is not itself a trusted proxy (the leftmost entries are the client's to forge)."""
    peer = request.remote or ""
    hop = _address(peer)
    if hop is None or not any(hop in net for net in trusted):
        return peer[:64]
    forwarded = ",".join(request.headers.getall("X-Forwarded-For", ()))
    for entry in reversed([e for e in forwarded.split(",") if e.strip()]):
        address = _address(entry)
        if address is None:
            break  # garbage from beyond our proxies: stop at the last hop we can vouch for
        hop = address
        if not any(address in net for net in trusted):
            break
    return str(hop)[:64]


def request_id(request: web.Request) -> str:
    """The caller's ``X-Request-Id`` when well-formed, else a new one."""
    given = request.headers.get("X-Request-Id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class SourceBudget:
    """A token bucket per caller address, in this process."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def spend(self, source: str) -> None:
        """Take one call from ``source``'s bucket, or raise RESOURCE_EXHAUSTED with the wait."""
        if self.rate <= 0:
            return  # switched off
        now = time.monotonic()
        if len(self._buckets) > MAX_SOURCES:  # forget sources whose bucket has refilled
            full = self.burst / self.rate
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}
        tokens, at = self._buckets.get(source, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[source] = (tokens, now)
            wait = math.ceil((1 - tokens) / self.rate * 1000) / 1000
            raise ResourceExhausted("too many requests from this address", retry_after=wait)
        self._buckets[source] = (tokens - 1, now)
