"""Where each process of the multi-process platform runs: the compose environment of every building block and
two gateway replicas, rewritten for one host with free ports (``plan_processes``), and one ``lienthong serve``
process (``Process``). The running platform and its controls are in ``distributed.py``."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from lienthong_cli.services import BUILDING_BLOCKS

from .manifests import (
    compose,
    compose_workloads,
    effective_settings,
    env_prefix,
    interpolate,
    settings_class,
)

GATEWAY_REPLICAS = ("gateway-1", "gateway-2")


def lienthong_command() -> list[str]:
    script = Path(sys.executable).with_name("lienthong")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lienthong_cli"]


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


#: Ports this test process already handed out. A platform plans about twenty ports before any process binds
#: one, so without this two of them could draw the same free port (seen: documents' HTTP port, "address
#: already in use", in a full run).
_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A free port BELOW the ephemeral range. A port the kernel hands out for port 0 is an ephemeral one, and a
    client that keeps reconnecting to it while its server is down (the gateway, after a kill -9) can end up
    connected to itself from that very port (TCP simultaneous open), so the restarted server could not bind."""
    low, _ = _ephemeral_range()
    for _ in range(200):
        port = random.randrange(max(1024, low - 12000), low)
        if port in _HANDED_OUT:  # free now, but promised to a process that has not bound it yet
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")


@dataclass
class Process:
    """One ``lienthong serve`` process (a compose service, or one replica of it)."""

    name: str
    service: str
    env: dict[str, str]
    port: int
    http_port: int
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, cwd: Path) -> None:
        assert self.popen is None or self.popen.poll() is not None, f"{self.name} is running"
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n--- start {self.starts} ---\n".encode())
            self.popen = subprocess.Popen(
                [*lienthong_command(), "serve", self.service],
                env=self.env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, lines: int = 40) -> str:
        text_ = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text_.splitlines()[-lines:])


def plan_processes(
    workdir: Path, secrets: Path, bus_url: str, redis_url: str, mail_dir: Path
) -> dict[str, Process]:
    """The compose environment of every process, rewritten for one host with free ports."""
    names = {name: name for name in BUILDING_BLOCKS} | {replica: "gateway" for replica in GATEWAY_REPLICAS}
    ports = {name: (free_port(), free_port()) for name in names}
    # Where compose's containers reach each other -> where the local processes listen.
    addresses: dict[str, str] = {"nats://nats:4222": bus_url, "redis://redis:6379/0": redis_url}
    for workload in compose_workloads():
        if workload.command[0] == "serve" and workload.service in BUILDING_BLOCKS:
            settings = effective_settings(workload)
            grpc_port, http_port = ports[workload.service]
            addresses[f"{workload.service}:{settings.port}"] = f"127.0.0.1:{grpc_port}"
            addresses[f"127.0.0.1:{settings.http_port}"] = f"127.0.0.1:{http_port}"
            addresses[f"http://{workload.service}:{settings.http_port}"] = f"http://127.0.0.1:{http_port}"
    # HOME is an empty folder, as the image's HOME=/tmp is on a fresh tmpfs; the working directory is workdir.
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    base |= {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(home)}
    smtp_port = free_port()
    processes = {}
    for name, service in names.items():
        prefix = env_prefix(settings_class(service))
        env = dict(base)
        for key, raw in compose()["services"][service]["environment"].items():
            value = interpolate(str(raw))
            for container, local in addresses.items():
                value = value.replace(container, local)
            if value.startswith("/run/secrets/"):
                value = str(secrets / value.removeprefix("/run/secrets/"))
            env[key] = value
        env |= {
            f"{prefix}HOST": "127.0.0.1",
            f"{prefix}HTTP_HOST": "127.0.0.1",
            f"{prefix}PORT": str(ports[name][0]),
            f"{prefix}HTTP_PORT": str(ports[name][1]),
        }
        if service == "notify":  # mailpit's stand-in: notify's own SMTP sink writing .eml files
            env |= {
                f"{prefix}SMTP_HOST": "127.0.0.1",
                f"{prefix}SMTP_PORT": str(smtp_port),
                f"{prefix}MAIL_SINK_DIR": str(mail_dir),
            }
        if service == "gateway":  # counters of this run only (the local Redis is shared with other tests)
            env[f"{prefix}RATE_LIMIT_PREFIX"] = f"lt:rl:dist:{uuid.uuid4().hex[:8]}"
            env[f"{prefix}REPLICAS"] = str(len(GATEWAY_REPLICAS))
            env |= {f"{prefix}REST_HOST": "127.0.0.1", f"{prefix}REST_PORT": str(free_port())}
        processes[name] = Process(name, service, env, ports[name][0], ports[name][1], workdir / f"{name}.log")
    return processes
