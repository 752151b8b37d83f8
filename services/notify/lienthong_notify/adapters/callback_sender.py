"""POSTs queued delivery-status callbacks to agencies' URLs, HMAC-signed, retried with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import aiohttp

from lienthong_runtime import outbound

from ..domain.callbacks import signature
from ..domain.notifications import RetryPolicy
from ..handlers.context import Connect, utcnow
from . import callback_store

log = logging.getLogger("lienthong.notify.callbacks")
SIGNATURE_HEADER = "X-Lienthong-Signature"


class CallbackSender:
    """Background job: delivers due callback POSTs; gives up after ``max_attempts``."""

    def __init__(
        self,
        connect: Connect,
        *,
        timeout_s: float = 5.0,
        max_attempts: int = 10,
        retry: RetryPolicy | None = None,
        idle_s: float = 0.5,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        self.connect = connect
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.retry = retry or RetryPolicy(base_s=2.0, max_s=600.0)
        self.idle_s = idle_s
        #: Private receivers this deployment allows; every other connection must reach a public address.
        self.allowed_hosts = tuple(allowed_hosts)
        self._http: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout_s),
            connector=outbound.public_connector(self.allowed_hosts),
        )
        try:
            while True:
                try:
                    sent = await self.run_once()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("callback pass failed")
                    sent = 0
                if sent == 0:
                    await asyncio.sleep(self.idle_s)
        finally:
            await self._http.close()

    async def run_once(self) -> int:
        now = utcnow()
        async with self.connect() as session, session.begin():
            due = await callback_store.claim(session, 50, self.timeout_s * 3, now)
        await asyncio.gather(*(self._deliver(row) for row in due))
        return len(due)

    async def _deliver(self, row: Any) -> None:
        delivery_id: str = row.id
        agency_id: str = row.agency_id
        body: bytes = row.payload
        attempts: int = row.attempts
        async with self.connect() as session:
            config = await callback_store.get(session, agency_id)
        ok = config is None  # the agency removed its callback: nothing to do
        if config is not None:
            ok = await self._post(config.url, config.secret, bytes(body))
        async with self.connect() as session, session.begin():
            if ok or attempts + 1 >= self.max_attempts:
                if not ok:
                    log.warning("callback dropped after retries", extra={"agency_id": agency_id})
                await callback_store.delivered(session, delivery_id)
            else:
                due = utcnow() + timedelta(seconds=self.retry.delay(attempts))
                await callback_store.retry_at(session, delivery_id, due)

    async def _post(self, url: str, secret: str, body: bytes) -> bool:
        assert self._http is not None
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, int(time.time()), body),
        }
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, OSError):
            async with self._http.post(url, data=body, headers=headers, allow_redirects=False) as response:
                return 200 <= response.status < 300
        return False
