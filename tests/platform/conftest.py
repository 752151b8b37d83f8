"""Every building block built by its own composition root, served in-process on Unix sockets."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from lienthong_cli.dev import dev_overrides
from lienthong_cli.services import BUILDING_BLOCKS, SERVICES
from lienthong_runtime import migrations
from lienthong_runtime.server import Server
from lienthong_runtime.testing import TokenMint

Platform = tuple[dict[str, grpc.aio.Channel], TokenMint]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serve_platform(data_dir: Path, bus_url: str = "") -> AsyncIterator[Platform]:
    """Channels to the five building blocks (SQLite in ``data_dir``, the memory bus ``bus_url``) and a mint their
    verifiers trust."""
    mint = TokenMint(issuer="https://identity.lienthong.local")
    servers: list[Server] = []
    channels: dict[str, grpc.aio.Channel] = {}
    sockets = tempfile.mkdtemp(prefix="lt-plat-")
    try:
        for name in BUILDING_BLOCKS:
            entry = SERVICES[name]
            module = entry.bootstrap()
            overrides = dev_overrides(name, data_dir, "127.0.0.1", 0)
            overrides.update(
                port=-1,
                http_port=0,
                unix_socket=os.path.join(sockets, f"{name}.sock"),
                bus_url=bus_url or f"memory://platform-{id(data_dir)}",
            )
            if "smtp_port" in overrides:  # notify's mail sink: not the dev default port another run may hold
                overrides["smtp_port"] = _free_port()
            settings = module.load_settings(**overrides)
            await migrations.upgrade_async(entry.package, settings.database_url, name)
            app = await module.build(settings)
            app.verifier = mint.verifier()
            server = Server(app)
            await server.start()
            servers.append(server)
            channels[name] = grpc.aio.insecure_channel(f"unix:{settings.unix_socket}")
        yield channels, mint
    finally:
        for channel in channels.values():
            await channel.close()
        for server in reversed(servers):
            with contextlib.suppress(Exception):
                await server.stop(0)
        for leftover in Path(sockets).glob("*"):
            leftover.unlink()
        os.rmdir(sockets)


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    """The platform for one test."""
    async with serve_platform(tmp_path) as served:
        yield served
