"""Progressive login delays: per account and per source, capped so the real citizen is never locked out.

After ``free`` failures each further failure doubles the wait before the next attempt (1 s, 2 s, 4 s, ...) up
to a cap. Attempts refused while waiting do not count, a success resets the account's counter, and a source's
counter is forgotten after a quiet period. So an attacker is slowed to one guess per cap per account, while the
citizen can always log in after at most ``cap`` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A source's failures are forgotten after this many seconds without one.
SOURCE_MEMORY = 3600.0


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int = 3
    base: float = 1.0
    cap: float = 30.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure."""
        if failures < self.free:
            return 0.0
        return float(min(self.base * 2 ** min(failures - self.free, 30), self.cap))


@dataclass(frozen=True)
class ThrottleState:
    key: str
    failures: int
    next_allowed_at: float
    last_failure_at: float

    def wait(self, now: float) -> float:
        """Seconds until the next attempt is allowed (0 when allowed now)."""
        return max(0.0, self.next_allowed_at - now)

    def after_failure(
        self, policy: ThrottlePolicy, now: float, forget_after: float | None = None
    ) -> ThrottleState:
        failures = self.failures
        if forget_after is not None and now - self.last_failure_at > forget_after:
            failures = 0
        failures += 1
        return ThrottleState(self.key, failures, now + policy.delay(failures), now)
