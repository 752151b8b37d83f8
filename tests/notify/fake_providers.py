"""Fakes of what notify's handlers call besides storage: the clock, the callback URL guard, a provider, a
callback receiver, and the handlers' ``Deps`` with generous limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lienthong_notify.domain.callbacks import url_problem
from lienthong_notify.domain.channels import Status
from lienthong_notify.domain.limits import RateLimiter
from lienthong_notify.domain.notifications import (
    Notification,
    Outcome,
    RetryPolicy,
)
from lienthong_notify.handlers.ports import Deps


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 12, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeCallbackUrls:
    """The SSRF guard without DNS: the URL rules, and names resolved from a table (``resolves``)."""

    def __init__(self, resolves: dict[str, str] | None = None) -> None:
        self.resolves = resolves or {}

    async def problem(self, url: str) -> str | None:
        problem = url_problem(url, False)
        if problem:
            return problem
        host = url.split("//", 1)[1].split("/", 1)[0].split(":", 1)[0]
        address = self.resolves.get(host, "93.184.216.34")
        private = address.startswith(("10.", "127.", "192.168.", "169.254."))
        return f"{host} resolves to a non-public address" if private else None


@dataclass
class FakeProvider:
    """Answers each send with the next outcome of ``script`` (the last one repeats); records what it got."""

    script: list[Outcome] = field(default_factory=lambda: [Outcome(Status.DELIVERED, provider="fake")])
    sent: list[Notification] = field(default_factory=list)

    async def send(self, n: Notification) -> Outcome:
        self.sent.append(n)
        return self.script[min(len(self.sent), len(self.script)) - 1]


@dataclass
class FakePoster:
    """A callback receiver that answers from ``answers`` (True = 2xx; the last one repeats)."""

    answers: list[bool] = field(default_factory=lambda: [True])
    posts: list[tuple[str, str, bytes]] = field(default_factory=list)

    async def post(self, url: str, secret: str, body: bytes) -> bool:
        self.posts.append((url, secret, body))
        return self.answers[min(len(self.posts), len(self.answers)) - 1]


def deps(clock: FakeClock | None = None, **overrides: Any) -> Deps:
    """Handler collaborators with generous limits unless overridden."""
    values: dict[str, Any] = {
        "limiter": RateLimiter(10_000.0, 10_000.0),
        "retry": RetryPolicy(1.0, 300.0, 24 * 3600.0),
        "daily_caps": {"email": 100_000, "sms": 20_000},
        "callback_urls": FakeCallbackUrls(),
        "clock": clock or FakeClock(),
    }
    return Deps(**{**values, **overrides})
