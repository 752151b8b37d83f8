"""A small SMTP client that pipelines (RFC 2920) when the server offers PIPELINING.

Per message it writes ``MAIL FROM``, ``RCPT TO`` and ``DATA`` in one go and the content in a second write, so a
kept-open connection costs two round trips per message instead of four. STARTTLS, implicit TLS and AUTH PLAIN
are supported; without PIPELINING the same commands go one at a time. Used by :class:`SmtpMailer` for the hot
path; aiosmtplib remains available (``smtp_pipelining=false``) for servers that need anything more.
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl

_DOT = re.compile(rb"(?m)^\.")


class SmtpReplyError(Exception):
    """The server answered ``code`` to the command of ``stage`` (``mail``, ``rcpt``, ``data``, ``auth``...)."""

    def __init__(self, code: int, stage: str, text: str = "") -> None:
        super().__init__(f"{stage}: {code} {text}".strip())
        self.code, self.stage = code, stage


class SmtpConnection:
    """One SMTP session; not safe for concurrent use (the mailer pools several)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 10.0,
        tls: bool = False,
        starttls: bool = False,
        username: str = "",
        password: str = "",
        local_hostname: str = "lienthong-notify",
        ca_file: str = "",
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.tls, self.starttls = tls, starttls
        self.username, self.password = username, password
        self.local_hostname = local_hostname
        self.ca_file = ca_file or None
        self.pipelining = False
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def is_connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def connect(self) -> None:
        context = ssl.create_default_context(cafile=self.ca_file) if self.tls else None
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, ssl=context), self.timeout
        )
        await self._expect(220, "greeting")
        extensions = await self._ehlo()
        if self.starttls:
            if "starttls" not in extensions:
                raise SmtpReplyError(502, "starttls", "server does not offer STARTTLS")
            await self._command(b"STARTTLS", 220, "starttls")
            assert self._writer is not None
            context = ssl.create_default_context(cafile=self.ca_file)
            await self._writer.start_tls(context, server_hostname=self.host)
            extensions = await self._ehlo()
        if self.username:
            token = base64.b64encode(f"\0{self.username}\0{self.password}".encode()).decode()
            await self._command(f"AUTH PLAIN {token}".encode(), 235, "auth")
        self.pipelining = "pipelining" in extensions

    async def _ehlo(self) -> set[str]:
        self._write(f"EHLO {self.local_hostname}\r\n".encode())
        code, text = await self._reply()
        if code != 250:
            raise SmtpReplyError(code, "ehlo", text)
        return {line.split(" ")[0].lower() for line in text.splitlines()[1:]}

    async def send(self, sender: str, recipient: str, message: bytes) -> None:
        """Deliver one message to one recipient; raises :class:`SmtpReplyError` on a refusal."""
        commands = [
            (f"MAIL FROM:<{sender}>".encode(), "mail"),
            (f"RCPT TO:<{recipient}>".encode(), "rcpt"),
            (b"DATA", "data"),
        ]
        replies: list[tuple[int, str]] = []
        if self.pipelining:
            self._write(b"".join(c + b"\r\n" for c, _ in commands))
            replies = [await self._reply() for _ in commands]
        else:
            for command, _ in commands:
                self._write(command + b"\r\n")
                replies.append(await self._reply())
                if replies[-1][0] >= 400:
                    break
        failed = next(
            (
                (c, s, t)
                for (c, t), (_, s) in zip(replies, commands, strict=False)
                if c >= 400 and s != "data"
            ),
            None,
        )
        if replies[-1][0] == 354 and failed is None:
            body = _DOT.sub(b"..", message)
            self._write(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            await self._expect(250, "content")
            return
        if len(replies) == 3 and replies[2][0] == 354:  # DATA accepted anyway: end it empty
            self._write(b".\r\n")
            await self._reply()
        await self._command(b"RSET", 250, "rset")
        code, stage, text = failed or (replies[-1][0], "data", replies[-1][1])
        raise SmtpReplyError(code, stage, text)

    async def quit(self) -> None:
        if self.is_connected:
            try:
                await self._command(b"QUIT", 221, "quit")
            finally:
                self.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    def _write(self, data: bytes) -> None:
        if self._writer is None:
            raise ConnectionError("not connected")
        self._writer.write(data)

    async def _command(self, command: bytes, expected: int, stage: str) -> None:
        self._write(command + b"\r\n")
        await self._expect(expected, stage)

    async def _expect(self, expected: int, stage: str) -> None:
        code, text = await self._reply()
        if code != expected:
            raise SmtpReplyError(code, stage, text)

    async def _reply(self) -> tuple[int, str]:
        if self._reader is None:
            raise ConnectionError("not connected")
        lines = []
        while True:
            line = await asyncio.wait_for(self._reader.readuntil(b"\n"), self.timeout)
            lines.append(line[4:].decode("utf-8", "replace").rstrip())
            if line[3:4] != b"-":
                return int(line[:3]), "\n".join(lines)
