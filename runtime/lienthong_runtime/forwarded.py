"""The caller's network address, trusting forwarded headers only from configured proxies.

``X-Forwarded-For`` is a claim anyone can write. A server believes it only when the connection comes from a
proxy it was told to trust (by address: CIDR networks of the front door, or by a shared secret the proxy sends in
``x-lienthong-proxy-secret``, for set-ups where address alone proves nothing, such as everything on loopback).
It then takes the rightmost address that is not itself a trusted proxy; anything to its left was written by the
caller. Every other connection's address is its TCP peer. The gateway drops forwarded headers from untrusted
callers and writes its own.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from typing import Any

FORWARDED_FOR = "x-forwarded-for"
PROXY_SECRET = "x-lienthong-proxy-secret"
#: Headers only a trusted proxy may set; the gateway strips them from everyone else's calls.
FORWARDING_HEADERS = frozenset({FORWARDED_FOR, "x-real-ip", "forwarded", PROXY_SECRET})


class TrustedProxies:
    """Who may tell us a caller's address: proxy networks and/or a shared proxy secret."""

    def __init__(self, networks: Iterable[str] = (), secret: str = "") -> None:
        self.networks = [ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()]
        self.secret = secret.encode()

    def trusts_address(self, address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.networks)

    def trusts(self, peer_address: str, metadata: Any) -> bool:
        if self.trusts_address(peer_address):
            return True
        if not self.secret:
            return False
        given = _values(metadata, PROXY_SECRET)
        return len(given) == 1 and hmac.compare_digest(given[0].encode(), self.secret)

    def client_address(self, peer: str, metadata: Any) -> str:
        """The caller's address for a call from ``peer`` (a gRPC peer string) carrying ``metadata``."""
        address = peer_host(peer)
        if not self.trusts(address, metadata):
            return address
        chain = [a.strip() for a in ",".join(_values(metadata, FORWARDED_FOR)).split(",") if a.strip()]
        for hop in reversed(chain):
            if _ip(hop) is None:
                return address  # a malformed chain: believe only the connection
            if not self.trusts_address(hop):
                return str(_ip(hop))
        return address


def peer_host(peer: str) -> str:
    """``ipv4:10.0.0.1:5123`` -> ``10.0.0.1``, ``ipv6:[::1]:5123`` -> ``::1``; other peers (unix) as given."""
    if peer.startswith("ipv4:"):
        return peer[5:].rsplit(":", 1)[0]
    if peer.startswith("ipv6:"):
        return peer[5:].rsplit(":", 1)[0].strip("[]").replace("%25", "%")
    return peer[:64]


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _values(metadata: Any, name: str) -> list[str]:
    return [value for key, value in metadata or () if key == name and isinstance(value, str)]
