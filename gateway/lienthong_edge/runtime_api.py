"""HAProxy's runtime API (the stats socket) and master CLI, as the agent uses them: map entries, hitless reload."""

from __future__ import annotations

import asyncio
import re

#: Map keys and values the agent sends are ids and integers; anything else is refused rather than quoted.
_SAFE = re.compile(r"^[A-Za-z0-9._:@|+=/-]{1,256}$")


class RuntimeApiError(RuntimeError):
    pass


async def command(socket_path: str, line: str, *, wait: float = 2.0) -> str:
    """Send one command line (several may be joined with ``;``) and return the answer."""
    reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(socket_path), wait)
    try:
        writer.write(line.encode() + b"\n")
        writer.write_eof()  # the master CLI answers once the request side is closed
        await writer.drain()
        return (await asyncio.wait_for(reader.read(), wait)).decode(errors="replace")
    finally:
        writer.close()


def _check(*values: str) -> None:
    for value in values:
        if not _SAFE.match(value):
            raise RuntimeApiError(f"refusing to send an unsafe map token {value!r}")


class RuntimeApi:
    """Map updates on the running engine."""

    def __init__(self, admin_socket: str, master_socket: str = "") -> None:
        self.admin_socket = admin_socket
        self.master_socket = master_socket

    async def put(self, map_file: str, key: str, value: str) -> None:
        """Set ``key`` to ``value`` in the running engine's copy of ``map_file`` (added when absent)."""
        _check(key, value)
        answer = await command(
            self.admin_socket, f"del map {map_file} {key};add map {map_file} {key} {value}"
        )
        if "unknown map" in answer.lower():  # ("Key not found" from the del of a new key is expected)
            raise RuntimeApiError(answer.strip())

    async def delete(self, map_file: str, key: str) -> None:
        _check(key)
        await command(self.admin_socket, f"del map {map_file} {key}")

    async def reload(self) -> str:
        """A hitless reload through the master CLI: new workers read the key slots, old ones finish their calls."""
        if not self.master_socket:
            raise RuntimeApiError("no master socket configured; cannot reload")
        for attempt in range(20):  # the master re-executes itself on a reload: its socket is briefly gone
            try:
                return await command(self.master_socket, "reload", wait=10.0)
            except (ConnectionRefusedError, FileNotFoundError):
                if attempt == 19:
                    raise
                await asyncio.sleep(0.25)
        raise AssertionError("unreachable")
