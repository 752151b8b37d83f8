"""Every building block built by its own composition root, served in-process on Unix sockets."""

from __future__ import annotations

import contextlib
import os
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


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[tuple[dict[str, grpc.aio.Channel], TokenMint]]:
    """Channels to the five building blocks (SQLite, memory bus) and a mint their verifiers trust."""
    mint = TokenMint(issuer="https://identity.lienthong.local")
    servers: list[Server] = []
    channels: dict[str, grpc.aio.Channel] = {}
    sockets = tempfile.mkdtemp(prefix="lt-plat-")
    try:
        for name in BUILDING_BLOCKS:
            entry = SERVICES[name]
            module = entry.bootstrap()
            overrides = dev_overrides(name, tmp_path, "127.0.0.1", 0)
            overrides.update(
                port=-1,
                http_port=0,
                unix_socket=os.path.join(sockets, f"{name}.sock"),
                bus_url=f"memory://platform-{id(tmp_path)}",
            )
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
