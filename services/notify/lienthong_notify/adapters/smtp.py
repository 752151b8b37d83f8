"""E-mail through a real SMTP conversation, over a small pool of kept-open connections.

Each message carries a Message-ID derived from the notification id, so a re-send after a crash is recognisable
as a duplicate by the receiving side.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

import aiosmtplib

from ..domain.channels import Status
from ..domain.notifications import Notification, Outcome, message_id
from .smtp_client import SmtpConnection, SmtpReplyError

log = logging.getLogger("lienthong.notify.smtp")
#: Stages whose refusal is about this message, not about the connection.
MESSAGE_STAGES = frozenset({"mail", "rcpt", "data", "content"})


def build_message(n: Notification, mail_from: str, msgid_domain: str) -> bytes:
    """The RFC 5322 message of an e-mail notification (UTF-8 text, base64 body)."""
    body = base64.encodebytes(n.body.encode("utf-8")).decode("ascii")
    headers = [
        f"From: {mail_from}",
        f"To: {n.recipient}",
        f"Subject: {Header(n.subject, 'utf-8').encode()}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {message_id(n.id, msgid_domain)}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("ascii")


class SmtpMailer:
    """Sends e-mail notifications; up to ``connections`` SMTP sessions at once, each reused across messages.

    With ``pipelining`` (the default) sessions use :class:`SmtpConnection`, which pipelines when the server
    offers it; otherwise aiosmtplib.
    """

    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        tls: bool = False,
        timeout: float = 10.0,
        connections: int = 8,
        mail_from: str,
        msgid_domain: str,
        pipelining: bool = True,
        ca_file: str = "",
    ) -> None:
        self._options: dict[str, Any] = {
            "host": host,
            "port": port,
            "timeout": timeout,
            "tls": tls,
            "starttls": starttls,
            "username": username,
            "password": password,
            "ca_file": ca_file,
        }
        self.pipelining = pipelining
        display, self.sender = parseaddr(mail_from)
        self.mail_from = formataddr((display, self.sender), charset="utf-8")  # RFC 2047 for a Vietnamese name
        self.msgid_domain = msgid_domain
        self._pool: asyncio.LifoQueue[Any] = asyncio.LifoQueue()
        for _ in range(max(1, connections)):
            self._pool.put_nowait(self._client())

    def _client(self) -> Any:
        o = self._options
        if self.pipelining:
            return SmtpConnection(
                o["host"],
                o["port"],
                timeout=o["timeout"],
                tls=o["tls"],
                starttls=o["starttls"],
                username=o["username"],
                password=o["password"],
                ca_file=o["ca_file"],
            )
        return aiosmtplib.SMTP(
            hostname=o["host"],
            port=o["port"],
            timeout=o["timeout"],
            use_tls=o["tls"],
            start_tls=o["starttls"],
            username=o["username"] or None,
            password=o["password"] or None,
            cert_bundle=o["ca_file"] or None,
        )

    async def _send(self, client: Any, n: Notification, message: bytes) -> None:
        if not client.is_connected:
            await client.connect()
        if self.pipelining:
            await client.send(self.sender, n.recipient, message)
        else:
            await client.sendmail(self.sender, [n.recipient], message)

    async def send(self, n: Notification) -> Outcome:
        """One delivery attempt: DELIVERED when the server accepted it, else a failure or a retry."""
        message = build_message(n, self.mail_from, self.msgid_domain)
        client = await self._pool.get()
        healthy = False
        try:
            await self._send(client, n, message)
            healthy = True
            return Outcome(Status.DELIVERED, provider=self.name)
        except SmtpReplyError as exc:
            if exc.stage not in MESSAGE_STAGES:  # greeting, EHLO, STARTTLS, AUTH: the platform's problem
                return Outcome(None, reason=f"SMTP_UNAVAILABLE: {exc.stage} {exc.code}")
            healthy = True
            return _by_code(
                exc.code,
                "RECIPIENT_REJECTED" if exc.stage == "rcpt" else "REJECTED_BY_SERVER",
                recipient=exc.stage == "rcpt",
            )
        except (
            aiosmtplib.SMTPAuthenticationError,
            aiosmtplib.SMTPConnectError,
            aiosmtplib.SMTPHeloError,
        ) as exc:
            return Outcome(None, reason=f"SMTP_UNAVAILABLE: {type(exc).__name__}")
        except aiosmtplib.SMTPRecipientsRefused as exc:
            code = exc.recipients[0].code if exc.recipients else 450
            return _by_code(code, "RECIPIENT_REJECTED", recipient=True)
        except aiosmtplib.SMTPResponseException as exc:
            return _by_code(exc.code, "REJECTED_BY_SERVER", recipient=False)
        except (
            aiosmtplib.SMTPException,
            OSError,
            TimeoutError,
            ValueError,
            asyncio.IncompleteReadError,
        ) as exc:
            return Outcome(None, reason=f"SMTP_UNAVAILABLE: {type(exc).__name__}")
        finally:
            if not healthy:
                with contextlib.suppress(Exception):
                    client.close()
                client = self._client()
            self._pool.put_nowait(client)

    async def close(self) -> None:
        while not self._pool.empty():
            client = self._pool.get_nowait()
            if client.is_connected:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.quit(), timeout=2)


def _by_code(code: int, reason: str, *, recipient: bool) -> Outcome:
    """5xx is final (permanent failure); 4xx is retried."""
    if 500 <= code < 600:
        return Outcome(Status.PERMANENT_FAILURE, reason=reason, provider="smtp")
    return Outcome(None, reason=f"{reason}_TEMPORARILY", recipient_unavailable=recipient)
