"""``lienthong dev``: the whole platform in one process on the embedded default.

SQLite files under one data folder (migrations applied at start), the in-process event bus, the local mail sink
and the sandbox payment provider; each service on its own port, then the gateway and the citizen portal; the
demo agency seeded and its credentials printed once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from lienthong_runtime import migrations
from lienthong_runtime.logs import configure_logging
from lienthong_runtime.server import Server, serve_all

from .services import BUILDING_BLOCKS, SERVICES

#: The gateway's REST/JSON face (HTTP/1.1 and HTTP/2) in the embedded mode.
REST_PORT = 8080

#: Everything listens on loopback in the embedded mode, so an address proves nothing: the gateway proves with this
#: secret (fresh per run, never written down) that its ``x-forwarded-for`` may be believed.
_PROXY_SECRET = secrets.token_urlsafe(32)


def dev_issuer(host: str, offset: int) -> str:
    """The embedded mode's token issuer: the URL of identity's HTTP side, where the OAuth metadata, token
    endpoint and JWKS are served, so a client that knows only this URL finds everything (RFC 8414)."""
    return f"http://{host}:{SERVICES['identity'].http_port + offset}"


def dev_overrides(name: str, data_dir: Path, host: str, offset: int) -> dict[str, Any]:
    """Settings of one service in the embedded mode."""
    entry = SERVICES[name]
    overrides: dict[str, Any] = {
        "proxy_secret": _PROXY_SECRET,
        "host": host,
        "port": entry.port + offset,
        "http_port": entry.http_port + offset,
        "http_host": host,
        "bus_url": "memory://",
        "dev_mode": True,
        "data_dir": str(data_dir.resolve()),
        "jwks_url": f"grpc://{host}:{SERVICES['identity'].port + offset}",
        "token_issuer": dev_issuer(host, offset),
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
        overrides.update(
            rest_host=host,
            rest_port=REST_PORT + offset,
            identity_http_url=f"http://{host}:{SERVICES['identity'].http_port + offset}",
        )
    return overrides


def prefill_overrides(demo: dict[str, str], host: str, offset: int) -> dict[str, Any]:
    """dossiers' registry access in the embedded mode (PrefillForm): through the front door, as the demo agency's
    client (it holds every agency scope, ``registry.citizens.read`` among them). The registry still discloses
    only what the operator's policy grants that agency for the purpose, and logs each read. A real deployment
    gives dossiers its own client (``LIENTHONG_DOSSIERS_REGISTRY_*``)."""
    return {
        "registry_target": f"{host}:{SERVICES['gateway'].port + offset}",
        "registry_client_id": demo["client_id"],
        "registry_client_secret": demo["client_secret"],
    }


def run_dev(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir or os.environ.get("LIENTHONG_DATA_DIR", ".lienthong"))
    if args.reset and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # databases, keys, mail: the owner's only
    configure_logging(os.environ.get("LIENTHONG_LOG_LEVEL", "WARNING"))

    async def main() -> int:
        apps = []
        modules = {}
        demo: dict[str, str] | None = None
        for name in (*BUILDING_BLOCKS, "gateway", "portal"):
            entry = SERVICES[name]
            module = entry.bootstrap()
            overrides = dev_overrides(name, data_dir, args.host, args.port_offset)
            if name == "dossiers" and demo:
                overrides.update(prefill_overrides(demo, args.host, args.port_offset))
            settings = module.load_settings(**overrides)
            if entry.migrates:
                await migrations.upgrade_async(entry.package, settings.database_url, name)
            modules[name] = (module, settings)
            apps.append(await module.build(settings))
            if name == "identity":  # seeded first: dossiers reads the registry with the demo agency's client
                seed = getattr(module, "seed_demo", None)
                demo = await seed(settings, data_dir) if seed else None

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
        rest_port, rest_host = getattr(settings, "rest_port", -1), getattr(settings, "rest_host", "")
        if rest_port > 0:  # the gateway's REST face
            lines.append(
                f"  {'':<9} rest http://{rest_host}:{rest_port}/v1/  "
                f"(OpenAPI: http://{rest_host}:{rest_port}/openapi.json)"
            )
    issuer = servers[0].app.settings.token_issuer
    lines.append(
        f"\n  OAuth 2.0 issuer: {issuer} (metadata: {issuer}/.well-known/oauth-authorization-server)"
    )
    portal = next((s for s in servers if s.app.name == "portal"), None)
    if portal is not None:
        lines.append(
            f"  Citizen portal: http://{portal.app.settings.http_host}:{portal.http_port}/ "
            "(sign in with a citizen account)"
        )
    lines.append(f"  data folder: {data_dir.resolve()}")
    if demo:
        lines.append("\n  Demo agency credentials (shown once; also saved to the data folder, mode 0600):")
        lines.extend(f"    {key}: {value}" for key, value in demo.items())
    gateway = next((s for s in servers if s.app.name == "gateway"), servers[-1])
    lines.append(
        "\n  First call (see README): .venv/bin/python examples/quickstart.py "
        f"--target {gateway.app.settings.host}:{gateway.bound_port} "
        f"--credentials {data_dir / 'demo-credentials.json'}\n"
        f"{_rest_hint(gateway, data_dir)}"
        "  Stop with Ctrl+C (graceful drain).\n"
    )
    print("\n".join(lines), flush=True)


def _rest_hint(gateway: Server, data_dir: Path) -> str:
    settings = gateway.app.settings
    rest_port, rest_host = getattr(settings, "rest_port", -1), getattr(settings, "rest_host", "")
    if rest_port <= 0:
        return ""
    return (
        f"  The same over REST with curl: bash examples/rest/walkthrough.sh "
        f"http://{rest_host}:{rest_port} {data_dir / 'demo-credentials.json'}\n"
    )
