"""SMS through HTTP providers with weighted failover, and the sandbox provider of the embedded mode.

Wire format of an HTTP provider (what a small adapter in front of a real aggregator implements):

* send: ``POST <url>`` with ``Authorization: Bearer <api_key>`` and JSON ``{"to": "+84...", "body": "...",
  "reference": "<notification id>"}``; 2xx answers JSON ``{"id": "<provider reference>"}``. The reference is
  the provider-side idempotency key: a provider that has seen it answers with the same id and sends nothing.
  4xx means the provider will never take this message (permanent failure); 5xx, connection errors and
  answers slower than the provider's timeout make notify try the next provider.
* receipt: the provider POSTs JSON ``{"reference": "<notification id>", "status": "delivered" |
  "temporary-failure" | "permanent-failure"}`` to notify's ``/v1/sms/receipts/<provider name>``, signed like
  callbacks (``X-Lienthong-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``) with its receipt secret.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aiohttp

from lienthong_runtime.ids import new_id

from ..domain.channels import Status
from ..domain.notifications import Notification, Outcome

log = logging.getLogger("lienthong.notify.sms")

RECEIPT_STATUSES = {
    "delivered": Status.DELIVERED,
    "temporary-failure": Status.TEMPORARY_FAILURE,
    "permanent-failure": Status.PERMANENT_FAILURE,
}


class ProviderRejected(Exception):
    """The provider refused this message for good (4xx)."""


@dataclass
class HttpSmsProvider:
    """One HTTP provider (see the module docstring)."""

    name: str
    url: str
    api_key: str
    receipt_secret: str
    weight: int = 1
    timeout_s: float = 3.0
    session: aiohttp.ClientSession | None = None

    async def send(self, n: Notification) -> str:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        async with self.session.post(
            self.url,
            json={"to": n.recipient, "body": n.body, "reference": n.id},
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=aiohttp.ClientTimeout(total=self.timeout_s),
        ) as response:
            if 400 <= response.status < 500:
                raise ProviderRejected(f"HTTP {response.status}")
            response.raise_for_status()
            return str((await response.json(content_type=None))["id"])

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


class FailoverSms:
    """Tries providers in a weighted-random order; the next one when one errors or is slow."""

    def __init__(self, providers: Sequence[HttpSmsProvider], rng: random.Random | None = None) -> None:
        self.providers = list(providers)
        self.rng = rng or random.Random()

    def order(self) -> list[HttpSmsProvider]:
        remaining, ordered = list(self.providers), []
        while remaining:
            pick = self.rng.choices(remaining, weights=[max(p.weight, 0) + 1e-9 for p in remaining])[0]
            remaining.remove(pick)
            ordered.append(pick)
        return ordered

    async def send(self, n: Notification) -> Outcome:
        for provider in self.order():
            try:
                reference = await provider.send(n)
                return Outcome(Status.SENDING, provider=provider.name, provider_reference=reference)
            except ProviderRejected:
                return Outcome(Status.PERMANENT_FAILURE, reason="PROVIDER_REJECTED", provider=provider.name)
            except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
                log.warning(
                    "sms provider failed; trying the next",
                    extra={"provider": provider.name, "error": type(exc).__name__},
                )
        return Outcome(None, reason="SMS_PROVIDERS_UNAVAILABLE")

    def receipt_secret(self, name: str) -> str | None:
        return next((p.receipt_secret for p in self.providers if p.name == name), None)

    async def close(self) -> None:
        for provider in self.providers:
            await provider.close()


ReceiptSink = Callable[[str, Status], Awaitable[None]]


class SandboxSms:
    """The embedded provider: accepts every message and reports it delivered a moment later."""

    name = "sandbox"

    def __init__(self) -> None:
        self.on_receipt: ReceiptSink | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, n: Notification) -> Outcome:
        if self.on_receipt is not None:
            task = asyncio.create_task(self._receipt(n.id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return Outcome(Status.SENDING, provider=self.name, provider_reference=new_id())

    async def _receipt(self, notification_id: str) -> None:
        await asyncio.sleep(0.05)  # after the worker has recorded the hand-over
        assert self.on_receipt is not None
        try:
            await self.on_receipt(notification_id, Status.DELIVERED)
        except Exception:
            log.warning("sandbox receipt failed", exc_info=True)

    def receipt_secret(self, name: str) -> str | None:
        return None

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
