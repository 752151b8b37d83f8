"""``lienthong dev``: the whole platform in one process on the embedded default.

SQLite files under one data folder (migrations applied at start), the in-process event bus, the local mail sink
and the sandbox payment provider; each service on its own port, then the gateway and the citizen portal; the
demo agency seeded and its credentials printed once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

from lienthong_runtime import migrations
from lienthong_runtime.logs import configure_logging
from lienthong_runtime.server import Server, serve_all

from .services import BUILDING_BLOCKS, SERVICES


def dev_overrides(name: str, data_dir: Path, host: str, offset: int) -> dict[str, Any]:
    """Settings of one service in the embedded mode."""
    entry = SERVICES[name]
    overrides: dict[str, Any] = {
        "host": host,
        "port": entry.port + offset,
        "http_port": entry.http_port + offset,
        "http_host": host,
        "bus_url": "memory://",
        "dev_mode": True,
        "data_dir": str(data_dir.resolve()),
        "jwks_url": f"grpc://{host}:{SERVICES['identity'].port + offset}",
    }
    if entry.migrates:
        overrides["database_url"] = f"sqlite+aiosqlite:///{(data_dir / f'{name}.db').resolve()}"
        overrides["migrate_on_start"] = True
    if name == "gateway":
        overrides.update(audit_path=str((data_dir / "gateway-audit.jsonl").resolve()), redis_url="")
    if name == "payment":  # a developer's own machine may send payers back to http://localhost
        overrides["allow_http_localhost_return_url"] = True
    if name == "notify":  # the local mail sink: an SMTP server inside notify writing .eml files
        overrides.update(
            mail_sink_dir=str((data_dir / "mail").resolve()), smtp_host=host, smtp_port=2525 + offset
        )
    if name == "portal":  # plain http://localhost: cookies cannot be Secure there
        overrides.update(gateway_target=f"{host}:{SERVICES['gateway'].port + offset}", secure_cookies=False)
    if name == "gateway":
        overrides["upstreams"] = {
            block: [f"{host}:{SERVICES[block].port + offset}"] for block in BUILDING_BLOCKS
        }
    return overrides


def run_dev(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir or os.environ.get("LIENTHONG_DATA_DIR", ".lienthong"))
    if args.reset and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    configure_logging(os.environ.get("LIENTHONG_LOG_LEVEL", "WARNING"))

    async def main() -> int:
        apps = []
        modules = {}
        for name in (*BUILDING_BLOCKS, "gateway", "portal"):
            entry = SERVICES[name]
            module = entry.bootstrap()
            settings = module.load_settings(**dev_overrides(name, data_dir, args.host, args.port_offset))
            if entry.migrates:
                await migrations.upgrade_async(entry.package, settings.database_url, name)
            modules[name] = (module, settings)
            apps.append(await module.build(settings))
        seed = getattr(modules["identity"][0], "seed_demo", None)
        demo = await seed(modules["identity"][1], data_dir) if seed else None

        def ready(servers: list[Server]) -> None:
            print_banner(servers, demo, data_dir)

        return await serve_all(apps, ready=ready)

    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


def print_banner(servers: list[Server], demo: dict[str, str] | None, data_dir: Path) -> None:
    lines = [
        "",
        "Liên Thông is running (embedded default: SQLite, in-process bus, mail sink, sandbox payments)",
        "",
    ]
    for server in servers:
        settings = server.app.settings
        http = f"  http://{settings.http_host}:{server.http_port}" if server.http_port else ""
        lines.append(f"  {server.app.name:<9} grpc {settings.host}:{server.bound_port}{http}")
    portal = next((s for s in servers if s.app.name == "portal"), None)
    if portal is not None:
        lines.append(
            f"\n  Citizen portal: http://{portal.app.settings.http_host}:{portal.http_port}/ "
            "(sign in with a citizen account)"
        )
    lines.append(f"\n  data folder: {data_dir.resolve()}")
    if demo:
        lines.append("\n  Demo agency credentials (shown once; also saved to the data folder, mode 0600):")
        lines.extend(f"    {key}: {value}" for key, value in demo.items())
    gateway = next((s for s in servers if s.app.name == "gateway"), servers[-1])
    lines.append(
        "\n  First call (see README): .venv/bin/python examples/quickstart.py "
        f"--target {gateway.app.settings.host}:{gateway.bound_port} "
        f"--credentials {data_dir / 'demo-credentials.json'}\n"
        "  Stop with Ctrl+C (graceful drain).\n"
    )
    print("\n".join(lines), flush=True)
