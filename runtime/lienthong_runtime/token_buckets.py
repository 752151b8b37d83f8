"""Token buckets per key, in this process: the one implementation of "``rate`` calls a second with bursts of
``burst``" that the gateway's fallback limiter (``lienthong_gateway.ratelimit.LocalBuckets``) and identity's
per-address budget of its OAuth endpoints both spend from.

A bucket starts full (``burst`` tokens), refills at ``rate`` tokens a second up to ``burst``, and a call takes
whole tokens. Buckets that have refilled are forgotten once more than ``max_keys`` are held, so a flood of
distinct keys (addresses, clients) cannot grow memory without bound.
"""

from __future__ import annotations

import math
import time

__all__ = ["MAX_WAIT", "TokenBuckets"]

#: The longest wait :meth:`TokenBuckets.take` answers (a bucket that never refills).
MAX_WAIT = 3600.0


class TokenBuckets:
    """Buckets by key; each call names its key's rate and burst (so one store serves many budgets)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        # key -> [tokens, at (monotonic), monotonic time the bucket is full again]
        self._state: dict[str, list[float]] = {}

    def take(self, key: str, rate: float, burst: float, want: int = 1) -> tuple[int, float]:
        """Take up to ``want`` whole tokens from ``key``'s bucket: (tokens granted, seconds until one token is
        there when none could be granted, else 0). A ``rate`` of 0 never refills (the wait is capped at
        :data:`MAX_WAIT`)."""
        now = time.monotonic()
        burst = max(burst, 1.0)
        if len(self._state) > self.max_keys:
            self._state = {k: v for k, v in self._state.items() if v[2] > now}
        state = self._state.get(key)
        if state is None:
            state = self._state[key] = [burst, now, now]
        tokens = min(burst, state[0] + (now - state[1]) * rate)
        granted = min(want, math.floor(tokens))
        tokens -= granted
        per_token = 1 / rate if rate > 0 else math.inf
        state[0], state[1], state[2] = tokens, now, now + (burst - tokens) * per_token
        if want > 0 and granted == 0:
            return 0, min((1 - tokens) * per_token, MAX_WAIT)
        return granted, 0.0
