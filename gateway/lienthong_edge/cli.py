"""``lienthong edge render`` and ``lienthong edge agent`` (wired into the ``lienthong`` command by name)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from lienthong_runtime.config import load_settings
from lienthong_runtime.logs import configure_logging

from .config import EdgeSettings

log = logging.getLogger("lienthong.edge")


def _settings(args: argparse.Namespace) -> tuple[Any, EdgeSettings]:
    from lienthong_gateway.config import Settings as GatewaySettings

    overrides = {}
    if getattr(args, "config_dir", None):
        overrides["config_dir"] = args.config_dir
    if getattr(args, "state_dir", None):
        overrides["state_dir"] = args.state_dir
    return load_settings(GatewaySettings), load_settings(EdgeSettings, **overrides)


def _render(args: argparse.Namespace) -> int:
    from lienthong_gateway.routing import contract_routes

    from .render import render, write
    from .state import StateFolder

    gateway, edge = _settings(args)
    if edge.peers:
        edge = edge.model_copy(update={"peers": resolvable_peers(edge.peers, args.wait_peers)})
    files = render(gateway, edge, contract_routes())
    write(files, edge.config_dir)
    if args.with_state:
        StateFolder(edge.state_dir, edge.key_slots).prepare()
    print(f"rendered {len(files)} files into {edge.config_dir}")
    return 0


def resolvable_peers(peers: list[str], wait_s: float) -> list[str]:
    """The peers whose names resolve within ``wait_s`` seconds. HAProxy 2.6 resolves peer addresses once, at
    start, and refuses to start on a name that does not resolve; a replica that is not there yet joins at its
    next restart instead of keeping this one down."""
    import socket
    import time

    deadline = time.monotonic() + wait_s
    pending = {entry: entry.partition("=")[2].rsplit(":", 1)[0] for entry in peers}
    found: set[str] = set()
    while True:
        for entry, host in list(pending.items()):
            try:
                socket.getaddrinfo(host, None)
                found.add(entry)
                del pending[entry]
            except OSError:
                pass
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    for entry in pending:
        log.warning("stick-table peer left out: its name does not resolve", extra={"peer": entry})
    return [entry for entry in peers if entry in found]


def _agent(args: argparse.Namespace) -> int:
    from lienthong_runtime.events import connect_bus
    from lienthong_runtime.jwks import jwks_fetcher

    from .agent import EngineKeys, run_agent
    from .runtime_api import RuntimeApi
    from .state import StateFolder

    _, edge = _settings(args)
    configure_logging(edge.log_level)
    state = StateFolder(edge.state_dir, edge.key_slots)
    api = RuntimeApi(edge.admin_socket, edge.master_socket)
    fetch = jwks_fetcher(edge.jwks_url)

    async def once() -> int:
        state.prepare()
        try:
            await EngineKeys(fetch, state, None).refresh(force=True)
        except Exception as exc:  # identity may start later; the running agent installs the keys then
            log.warning("keys not installed yet", extra={"error": type(exc).__name__})
        return 0

    async def forever() -> int:
        bus = connect_bus(edge.bus_url)
        try:
            await run_agent(state, api, fetch, bus)
        finally:
            await bus.close()
        return 0

    return asyncio.run(once() if args.once else forever())


def register(sub: Any) -> None:
    edge = sub.add_parser("edge", help="the HAProxy front door: render its configuration, run its agent")
    commands = edge.add_subparsers(dest="subcommand", required=True)
    render = commands.add_parser(
        "render", help="write the HAProxy configuration derived from the contract and the gateway's settings"
    )
    render.add_argument("--config-dir", help="output folder (default: LIENTHONG_EDGE_CONFIG_DIR)")
    render.add_argument("--state-dir", help="the agent's folder named in the configuration")
    render.add_argument(
        "--with-state", action="store_true", help="also create the agent's folder (key slots, empty maps)"
    )
    render.add_argument(
        "--wait-peers", type=float, default=0.0, help="seconds to wait for the peers' names to resolve"
    )
    render.set_defaults(func=_render)
    agent = commands.add_parser("agent", help="apply identity's revocations and key rotations to the engine")
    agent.add_argument("--state-dir", help="the agent's folder (default: LIENTHONG_EDGE_STATE_DIR)")
    agent.add_argument(
        "--once", action="store_true", help="prepare the state and install the keys, then exit"
    )
    agent.set_defaults(func=_agent)
