"""The embedded mail sink: an SMTP server (aiosmtpd) that writes every message it receives as a .eml file.

Files are named after the Message-ID, so a message sent twice (a re-send after a crash) is stored once. Run
standalone with ``python -m lienthong_notify.adapters.mail_sink --dir FOLDER [--port 0]`` (prints READY <port>).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import uuid
import weakref
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope

from lienthong_runtime.files import write_private

_SAFE = re.compile(r"[^A-Za-z0-9._@-]")


def file_name(data: bytes) -> str:
    """``<message-id>.eml`` (sanitised), or a random name when the message has none."""
    header_end = data.find(b"\r\n\r\n")
    headers = BytesHeaderParser().parsebytes(data[: header_end if header_end >= 0 else len(data)])
    msgid = (headers.get("Message-ID") or "").strip().strip("<>")
    if not msgid:
        return f"{uuid.uuid4().hex}.eml"
    safe = _SAFE.sub("_", msgid)
    return f"{safe[:150]}-{hashlib.sha256(msgid.encode()).hexdigest()[:8]}.eml"


class FolderHandler:
    """aiosmtpd handler writing each message into ``folder`` atomically."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.received = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        """Offer PIPELINING: aiosmtpd reads commands one by one from its stream, so pipelined ones are safe."""
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        target = self.folder / file_name(data)
        temporary = target.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
        write_private(temporary, data)  # a message names its recipient: owner-only (0600)
        os.replace(temporary, target)
        self.received += 1
        return "250 Message accepted for delivery"


class PipeliningSMTP(SMTP):
    """aiosmtpd's server, answering pipelined commands in one write: a reply waits while the client's next
    commands are already buffered, as RFC 2920 servers do, so a pipelined message costs two writes, not four."""

    _held = b""

    async def push(self, status: str | bytes) -> None:
        response = (
            status.encode("utf-8" if self.enable_SMTPUTF8 else "ascii") if isinstance(status, str) else status
        )
        self._held += response + b"\r\n"
        buffered = getattr(self._reader, "_buffer", None)
        if buffered:  # more commands already arrived: answer them together
            return
        held, self._held = self._held, b""
        self._writer.write(held)
        await self._writer.drain()


class MailSink:
    """An SMTP server on ``host:port`` in the running event loop (``port`` 0 picks a free one)."""

    def __init__(self, folder: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = FolderHandler(folder)
        self.host, self.port = host, port
        self._server: asyncio.base_events.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def _session(self) -> SMTP:
        protocol = PipeliningSMTP(
            self.handler, hostname="lienthong-mail-sink", data_size_limit=10 * 1024 * 1024
        )
        self._sessions.add(protocol)
        return protocol

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._session, host=self.host, port=self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for protocol in list(self._sessions):  # an outage drops open sessions too
                if protocol.transport is not None:
                    protocol.transport.close()
            await self._server.wait_closed()
            self._server = None


async def _main(folder: str, host: str, port: int) -> None:
    sink = MailSink(folder, host, port)
    await sink.start()
    print(f"READY {sink.port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(_main(args.dir, args.host, args.port))
    except ImportError:
        asyncio.run(_main(args.dir, args.host, args.port))
