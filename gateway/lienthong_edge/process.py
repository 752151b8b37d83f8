"""Running the engine as a child process (tests, benchmarks, ``make``-level drills): render, start, stop.

Production runs the ``haproxy`` image with the rendered ConfigMap instead; this is the same configuration
started from Python, in master-worker mode so the agent's hitless reload works here too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lienthong_gateway.config import Settings as GatewaySettings
from lienthong_gateway.routing import Route, contract_routes

from .config import EdgeSettings
from .keys import engine_keys
from .render import render, write
from .state import StateFolder


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or (os.path.exists("/usr/sbin/haproxy") and "/usr/sbin/haproxy") or None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Engine:
    """A started engine: its settings, folders, output log and process."""

    edge: EdgeSettings
    state: StateFolder
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.edge.port}"

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def audit_lines(self) -> list[str]:
        return [line for line in self.log_lines() if line.startswith('{"ts":')]


def _wait_ready(edge: EdgeSettings, deadline: float) -> None:
    """The public port and the master socket both accept connections (the master's comes a little later)."""
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", edge.port), timeout=0.2).close()
            with socket.socket(socket.AF_UNIX) as master:
                master.connect(edge.master_socket)
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"the engine did not open port {edge.port} and its master socket")


@contextlib.contextmanager
def engine(
    gateway: GatewaySettings,
    *,
    jwks: Mapping[str, Any] | None = None,
    routes: Mapping[str, Route] | None = None,
    folder: str | None = None,
    **edge_overrides: Any,
) -> Iterator[Engine]:
    """Render the configuration for ``gateway``'s settings, install ``jwks``'s keys and run the engine."""
    binary = haproxy_binary()
    if binary is None:
        raise RuntimeError("haproxy is not installed (tools/system-deps.sh installs it)")
    root = Path(folder or tempfile.mkdtemp(prefix="lt-edge-"))
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": free_port(),
        "metrics_port": free_port(),
        "config_dir": str(root / "config"),
        "state_dir": str(root / "state"),
        "admin_socket": str(root / "admin.sock"),
        "master_socket": str(root / "master.sock"),
        "check_interval_ms": 200,
    }
    values.update(edge_overrides)
    edge = EdgeSettings(**values)
    write(render(gateway, edge, routes if routes is not None else contract_routes()), edge.config_dir)
    state = StateFolder(edge.state_dir, edge.key_slots)
    state.prepare()
    if jwks is not None:
        state.install_keys(engine_keys(jwks))
    config = f"{edge.config_dir}/haproxy.cfg"
    log_path = root / "engine.log"
    with open(log_path, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 (an argument list: the binary from PATH, our own files)
            [binary, "-W", "-S", f"{edge.master_socket},mode,600", "-f", config],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Engine(edge, state, process, log_path)
    try:
        try:
            _wait_ready(edge, time.monotonic() + 10)
        except TimeoutError:
            raise RuntimeError("engine did not start:\n" + "\n".join(running.log_lines()[-30:])) from None
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if folder is None:
            shutil.rmtree(root, ignore_errors=True)
