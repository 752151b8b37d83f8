"""Throwaway servers the drills own and may crash: PostgreSQL (initdb + pg_ctl in a temp dir), NATS JetStream,
Redis and an SMTP sink, each on a free port. Never the machine's shared servers."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.deploy.distributed import free_port


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {timeout:.0f}s")


class Daemon:
    """A child process started in its own session, so a kill reaches it and nothing else."""

    def __init__(self, name: str, command: list[str], port: int, log: Path, **popen: object) -> None:
        self.name, self.command, self.port, self.log = name, command, port, log
        self.popen_kwargs = popen
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(  # type: ignore[call-overload]
                self.command,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.popen_kwargs,
            )
        wait_port(self.port)

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _pg_bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    if not found:
        raise FileNotFoundError(f"{tool} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


class ThrowawayPostgres:
    """A PostgreSQL cluster of the drills' own: ``crash()`` is ``pg_ctl stop -m immediate`` (no checkpoint, crash
    recovery on the next start), ``start()`` brings it back on the same port and data."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        root.mkdir(parents=True, exist_ok=True)
        self._as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self._as_postgres:
            shutil.chown(root, "postgres", "postgres")

    def _run(self, *command: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        )
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "pg.log"), "-o", options, "start"
        )
        wait_port(self.port)

    def crash(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


def nats(root: Path) -> Daemon:
    port = free_port()
    store = root / "nats"
    store.mkdir(parents=True, exist_ok=True)
    command = [shutil.which("nats-server") or "/usr/sbin/nats-server", "-a", "127.0.0.1", "-p", str(port)]
    return Daemon("nats", [*command, "-js", "-sd", str(store)], port, root / "nats.log")


def redis(root: Path) -> Daemon:
    port = free_port()
    command = [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port", str(port)]
    command += ["--save", "", "--appendonly", "no", "--dir", str(root)]
    return Daemon("redis", command, port, root / "redis.log")


def smtp_sink(root: Path, mail_dir: Path) -> Daemon:
    """notify's own mail sink (aiosmtpd writing one .eml per message) as a separate process, so that it can die."""
    port = free_port()
    command = [sys.executable, "-m", "tests.faults.smtp_sink", str(mail_dir), str(port)]
    return Daemon("smtp", command, port, root / "smtp.log", cwd=str(Path(__file__).parents[2]))
