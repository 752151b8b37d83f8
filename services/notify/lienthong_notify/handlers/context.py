"""What handlers need: database connections, settings, limits, the retry policy and a way to wake the worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from ..adapters.personal_fields import PersonalFields
from ..config import Settings
from ..domain.limits import RateLimiter
from ..domain.notifications import RetryPolicy

Connect = Callable[[], AsyncConnection]


@dataclass
class Notify:
    """Dependencies of notify's handlers (built by bootstrap)."""

    #: Opens a Core connection (``engine.connect``): lighter than ORM sessions on the hot paths.
    connect: Connect
    settings: Settings
    limiter: RateLimiter
    retry: RetryPolicy
    #: Seals each notification's recipient, subject and body at rest (notify's keyring).
    personal: PersonalFields
    wakers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def from_settings(cls, connect: Connect, settings: Settings) -> Notify:
        from ..adapters.contact_store import load_contact_book

        return cls(
            connect=connect,
            settings=settings,
            personal=PersonalFields.of(load_contact_book(settings)),
            limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
            retry=RetryPolicy(settings.retry_base_s, settings.retry_max_s, settings.give_up_s),
        )

    def wake(self) -> None:
        """Tell in-process workers there is new work (they also poll)."""
        for waker in self.wakers:
            waker()

    def daily_cap(self, channel: str) -> int:
        return self.settings.daily_cap_email if channel == "email" else self.settings.daily_cap_sms


def utcnow() -> datetime:
    return datetime.now(UTC)
