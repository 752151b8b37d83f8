"""The audit stream: one JSON line per call (who, what, outcome, latency, request id), never a body or a token.

Lines are buffered and written by a background flush every ``FLUSH_INTERVAL`` seconds (and when the buffer is
large), so the hot path pays for building a short string, not for a system call.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import IO

from lienthong_runtime.files import open_private_append

FLUSH_INTERVAL = 0.2
MAX_BUFFERED = 512

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class AuditSink:
    """Where audit records go: a file (appended), ``-`` for stdout, or nowhere (empty path)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._stream: IO[str] | None = None
        if path == "-":
            self._stream = sys.stdout
        elif path:
            self._stream = open_private_append(path, buffering=1 << 16)  # who called what: owner-only (0600)
        self._buffer: list[str] = []

    @property
    def enabled(self) -> bool:
        return self._stream is not None

    def record(
        self,
        method: str,
        code: str,
        latency_s: float,
        request_id: str,
        agency: str = "",
        client: str = "",
        subject: str = "",
    ) -> None:
        """Queue one record. ``code`` is the gRPC status name of the outcome."""
        if self._stream is None:
            return
        self._buffer.append(
            _dumps(
                {
                    "ts": round(time.time(), 3),
                    "method": method,
                    "code": code,
                    "latency_ms": round(latency_s * 1000, 3),
                    "request_id": request_id,
                    "agency": agency,
                    "client": client,
                    "subject": subject,
                }
            )
        )
        if len(self._buffer) >= MAX_BUFFERED:
            self.flush()

    def flush(self) -> None:
        if self._stream is None or not self._buffer:
            return
        lines, self._buffer = self._buffer, []
        self._stream.write("\n".join(lines) + "\n")
        self._stream.flush()

    async def run(self) -> None:
        """Flush periodically, forever (a background job of the gateway)."""
        try:
            while True:
                await asyncio.sleep(FLUSH_INTERVAL)
                self.flush()
        finally:
            self.flush()

    def close(self) -> None:
        self.flush()
        if self._stream is not None and self._stream is not sys.stdout:
            self._stream.close()
        self._stream = None
