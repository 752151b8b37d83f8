"""Requests the platform sends to addresses a caller chose (delivery callbacks): only to public addresses.

A caller-chosen URL is checked three times: its host when the URL is stored (:func:`host_problem`: no IP literal
or name of a loopback, private, link-local, shared or metadata address), its resolved addresses when stored
(:func:`resolve_public`), and the addresses actually connected to (:func:`public_connector`, which refuses a name
re-bound to a private address after it was stored). Receivers on a private network (tests,
on-premise agencies) are reached only when listed in an explicit allow-list: host names, IP addresses or CIDR
networks.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Collection
from typing import Any

from .validation import NOT_PUBLIC, AllowList, Invalid, host_problem, is_public_address


async def resolve_public(host: str, port: int, allow: AllowList | None = None) -> list[str]:
    """The addresses of ``host``; :class:`Invalid` if it does not resolve or any address is not public (unless
    the host or that address is allowed)."""
    allow = allow or AllowList()
    if allow.allows_host(host):
        return [host]
    problem = host_problem(host)
    if problem:
        raise Invalid(problem)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Invalid("does not resolve to an address") from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses:
        raise Invalid("does not resolve to an address")
    if any(not is_public_address(a) and not allow.allows_address(a) for a in addresses):
        raise Invalid(NOT_PUBLIC)
    return addresses


def public_connector(allow: Collection[str] = (), **options: Any) -> Any:
    """An ``aiohttp.TCPConnector`` whose every connection goes to a public (or allowed) address: the addresses
    a host resolves to (or its IP literal) are checked just before connecting, after any DNS change."""
    import aiohttp

    allowed = AllowList(allow)

    class PublicConnector(aiohttp.TCPConnector):
        async def _resolve_host(self, host: str, port: int, traces: Any = None) -> Any:
            found = await super()._resolve_host(host, port, traces=traces)
            if allowed.allows_host(host):
                return found
            for entry in found:
                address = str(entry["host"])
                if not is_public_address(address) and not allowed.allows_address(address):
                    raise OSError(f"refused to connect to a non-public address for {host}")
            return found

    return PublicConnector(**options)
