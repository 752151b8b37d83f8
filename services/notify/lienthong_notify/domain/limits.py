"""Per-agency limits: a token-bucket rate limit on sends and a daily cap per channel."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


class LimitExceeded(Exception):
    """A limit refused the send: ``reason`` is RATE_LIMITED or DAILY_CAP_REACHED."""

    def __init__(self, reason: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class RateLimiter:
    """Token bucket per agency: ``rate`` messages per second with bursts up to ``burst`` (in this process)."""

    rate: float
    burst: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, agency_id: str, count: int = 1, now: float | None = None) -> None:
        """Consume ``count`` tokens or raise :class:`LimitExceeded` (nothing consumed then)."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(agency_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if count > tokens:
            self._buckets[agency_id] = (tokens, now)
            wait = (count - tokens) / self.rate if self.rate > 0 else None
            raise LimitExceeded("RATE_LIMITED", "the agency's send rate limit was reached", wait)
        self._buckets[agency_id] = (tokens - count, now)


def seconds_to_midnight_utc(now: float | None = None) -> float:
    now = time.time() if now is None else now
    return 86400.0 - (now % 86400.0)
