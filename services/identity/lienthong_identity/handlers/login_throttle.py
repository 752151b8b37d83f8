"""Applying the progressive login delays (domain/throttle.py) per account and per source."""

from __future__ import annotations

import hashlib
import hmac
import time

from lienthong_runtime.errors import ResourceExhausted

from ..domain.throttle import SOURCE_MEMORY, ThrottlePolicy, ThrottleState
from .context import Context
from .ports import IdentityUnitOfWork


class LoginThrottle:
    def __init__(self, uow: IdentityUnitOfWork, ctx: Context) -> None:
        self.uow, self.ctx = uow, ctx
        s = ctx.settings
        self.account = ThrottlePolicy(free=s.login_free_failures, cap=s.login_account_delay_cap)
        self.source = ThrottlePolicy(free=s.login_free_failures * 3, cap=s.login_source_delay_cap)

    def keys(self, personal_id: str, source_ip: str) -> tuple[str, str]:
        """Throttle keys: keyed hashes, so the table holds neither personal IDs nor addresses."""
        pepper = self.ctx.pepper
        account = hmac.new(pepper, b"throttle:pid:" + personal_id.encode(), hashlib.sha256).hexdigest()[:40]
        source = hmac.new(pepper, b"throttle:ip:" + source_ip.encode(), hashlib.sha256).hexdigest()[:40]
        return f"a:{account}", f"s:{source}"

    async def enter(self, account_key: str, source_key: str) -> None:
        """Refuse (RESOURCE_EXHAUSTED with a retry delay) while either key must wait; else take the slot."""
        now = time.time()
        async with self.uow as uow:
            account = await uow.throttle.get(account_key)
            source = await uow.throttle.get(source_key)
            wait = max(account.wait(now), source.wait(now))
            if wait > 0:
                raise ResourceExhausted(
                    "too many failed logins; wait before trying again",
                    retry_after=wait,
                    reason="LOGIN_THROTTLED",
                )
            for state, policy in ((account, self.account), (source, self.source)):
                if not await uow.throttle.claim(state, now + policy.delay(state.failures)):
                    raise ResourceExhausted(
                        "another login attempt is in progress", retry_after=1.0, reason="LOGIN_THROTTLED"
                    )

    async def failed(self, account_key: str, source_key: str) -> None:
        now = time.time()
        async with self.uow as uow:
            account = await uow.throttle.get(account_key)
            source = await uow.throttle.get(source_key)
            await uow.throttle.put(account.after_failure(self.account, now))
            await uow.throttle.put(source.after_failure(self.source, now, forget_after=SOURCE_MEMORY))

    async def succeeded(self, account_key: str, source_key: str) -> None:
        """The citizen got in: forget the account's failures and reopen the source's slot."""
        now = time.time()
        async with self.uow as uow:
            await uow.throttle.reset(account_key)
            source = await uow.throttle.get(source_key)
            if source.failures:
                await uow.throttle.put(
                    ThrottleState(source.key, source.failures, now, source.last_failure_at)
                )
