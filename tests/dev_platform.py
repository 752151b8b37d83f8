"""`lienthong dev` as its own process on a free block of loopback ports (the portal's browser tests, the
observability tests and the embedded journey share it)."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

#: Default ports of `lienthong dev` (gRPC, HTTP side servers, mail sink, REST face), shifted together by the offset.
PORTS = (
    50051,
    50061,
    50062,
    50063,
    50064,
    50065,
    50066,
    50070,
    8051,
    8061,
    8062,
    8063,
    8064,
    8065,
    8066,
    8070,
    2525,
    8080,
)  # 8080: the gateway's REST face


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(1000, 9000, 7)
        if all(_free(p + offset) for p in PORTS):
            return offset
    raise RuntimeError("no free block of loopback ports for lienthong dev")


@dataclass
class Dev:
    process: subprocess.Popen[str]
    data_dir: Path
    offset: int
    banner: str
    #: The newest lines it wrote after the banner (drained all along, so its logging never blocks on a full pipe).
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=200))

    def __post_init__(self) -> None:
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.tail.append(line)

    @property
    def gateway(self) -> str:
        return f"127.0.0.1:{50051 + self.offset}"

    @property
    def portal(self) -> str:
        return f"http://127.0.0.1:{8070 + self.offset}"

    def metrics_urls(self) -> dict[str, str]:
        names = ("gateway", "identity", "registry", "payment", "notify", "documents", "dossiers", "portal")
        ports = (8051, 8061, 8062, 8063, 8064, 8065, 8066, 8070)
        return {n: f"http://127.0.0.1:{p + self.offset}/metrics" for n, p in zip(names, ports, strict=True)}

    def credentials(self) -> dict[str, str]:
        return json.loads((self.data_dir / "demo-credentials.json").read_text())

    def stop(self) -> int:
        """SIGTERM, then the exit code of its graceful drain (killed, with its last lines shown, if it hangs)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("lienthong dev did not stop:\n" + "".join(self.tail)) from None


def start_dev(data_dir: Path) -> Dev:
    offset = free_offset()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lienthong_cli",
            "dev",
            "--data-dir",
            str(data_dir),
            "--port-offset",
            str(offset),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    deadline = time.monotonic() + 90
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError("lienthong dev exited early:\n" + "".join(lines))
        lines.append(line)
        if "Stop with Ctrl+C" in line:
            return Dev(process, data_dir, offset, "".join(lines))
    process.kill()
    raise AssertionError("lienthong dev did not start:\n" + "".join(lines))
