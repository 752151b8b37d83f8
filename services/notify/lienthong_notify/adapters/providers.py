"""The e-mail and SMS providers of one process, built from settings by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lienthong_runtime.config import secret_value

from ..config import Settings
from ..domain.channels import Channel
from .sms import FailoverSms, HttpSmsProvider, ReceiptSink, SandboxSms
from .smtp import SmtpMailer


@dataclass
class Providers:
    """One provider per channel (anything with ``async send(notification) -> Outcome`` and ``close``)."""

    email: Any
    sms: Any

    @property
    def by_channel(self) -> dict[Channel, Any]:
        return {Channel.EMAIL: self.email, Channel.SMS: self.sms}

    def receipt_secret(self, provider: str) -> str | None:
        """The secret an SMS provider signs its delivery receipts with (None: unknown provider)."""
        return self.sms.receipt_secret(provider)  # type: ignore[no-any-return]

    def on_sandbox_receipt(self, apply: ReceiptSink) -> None:
        """Where the sandbox SMS provider (embedded mode) reports its simulated receipts."""
        if isinstance(self.sms, SandboxSms):
            self.sms.on_receipt = apply

    async def close(self) -> None:
        await self.email.close()
        await self.sms.close()


def build_providers(settings: Settings) -> Providers:
    """SMTP for e-mail; the configured HTTP SMS providers with failover, else the sandbox."""
    mailer = SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=secret_value(settings.smtp_password),
        starttls=settings.smtp_starttls,
        tls=settings.smtp_tls,
        timeout=settings.smtp_timeout_s,
        connections=settings.smtp_connections,
        mail_from=settings.mail_from,
        msgid_domain=settings.message_id_domain,
        pipelining=settings.smtp_pipelining,
        ca_file=settings.smtp_ca_file,
    )
    sms: FailoverSms | SandboxSms = SandboxSms()
    if settings.sms_providers:
        sms = FailoverSms(
            [
                HttpSmsProvider(
                    p.name,
                    p.url,
                    secret_value(p.api_key),
                    secret_value(p.receipt_secret),
                    p.weight,
                    p.timeout_s,
                )
                for p in settings.sms_providers
            ]
        )
    return Providers(mailer, sms)
