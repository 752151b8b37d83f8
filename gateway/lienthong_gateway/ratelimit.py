"""Rate limits per agency and per client, per method class, that hold across gateway replicas.

Choice: **a shared token bucket in Redis, spent through small local leases.** Each bucket lives in Redis and is
refilled and debited by one atomic Lua script (Redis' own clock, so replicas' clocks do not matter). Asking Redis
on every call would cost a round trip per call on the hot path, so a replica takes a *lease* of a few tokens at
a time (50 ms of the bucket's rate, at most a tenth of its burst, at most ``LEASE_MAX``) and spends it locally;
only one lease request per bucket is in flight per replica. Leases expire after ``LEASE_TTL`` seconds. The
error this allows is bounded and small: at most one lease per replica per bucket above the budget.
A static split of each budget across replicas was rejected as the main mechanism: it refuses a client whose
calls happen to land on one replica while the others idle, and it must be re-tuned whenever replicas scale.
It is kept as the **fallback**: while Redis is unreachable each replica enforces budget / ``replicas`` locally
(and retries Redis after ``REDIS_RETRY`` seconds), so the limit still holds approximately and calls keep flowing.

A call needs a token from its client's bucket, then from its agency's bucket; a client over its own budget is
refused before touching the agency's bucket, so it cannot starve the other clients of its agency.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from lienthong_runtime.errors import ResourceExhausted
from lienthong_runtime.token_buckets import TokenBuckets

from .config import Budget, Settings

log = logging.getLogger("lienthong.gateway.ratelimit")

LEASE_MAX = 50
LEASE_TTL = 1.0
REDIS_RETRY = 5.0
MAX_KEYS = 100_000

# KEYS: bucket keys in order; ARGV: rate, burst, want for each key. Stops at the first key that cannot grant.
# Returns {index of the refusing key (0 = none), wait seconds as text, granted for each key handled}.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local result = {0, '0'}
for i, key in ipairs(KEYS) do
  local rate, burst, want = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(state[1]), tonumber(state[2])
  if tokens == nil then tokens, ts = burst, now end
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  local granted = math.min(want, math.floor(tokens))
  tokens = tokens - granted
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
  table.insert(result, granted)
  if want > 0 and granted == 0 then
    result[1] = i
    result[2] = tostring((1 - tokens) / rate)
    return result
  end
end
return result
"""


class LocalBuckets:
    """Token buckets in this process (the fallback), each with the budget divided by ``replicas``."""

    def __init__(self, replicas: int = 1) -> None:
        self.replicas = max(replicas, 1)
        self._buckets = TokenBuckets(MAX_KEYS)

    def grant(self, specs: list[tuple[str, Budget, int]]) -> tuple[int, float, list[int]]:
        granted: list[int] = []
        for index, (key, budget, want) in enumerate(specs, start=1):
            got, wait = self._buckets.take(
                key, budget.rate / self.replicas, budget.burst / self.replicas, want
            )
            granted.append(got)
            if want > 0 and got == 0:
                return index, wait, granted
        return 0, 0.0, granted


def lease_size(budget: Budget) -> int:
    return int(max(1, min(LEASE_MAX, budget.rate * 0.05, budget.burst / 10)))


class RateLimiter:
    """Admits or refuses a call of (agency, client, method class)."""

    def __init__(self, settings: Settings, redis: Any = None) -> None:
        self.settings = settings
        self.redis = redis
        self.local = LocalBuckets(settings.replicas)
        self._script = redis.register_script(_SCRIPT) if redis is not None else None
        self._leases: dict[str, list[float]] = {}  # key -> [tokens, expires]
        self._pending: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._waiting: dict[tuple[str, str], int] = {}  # calls queued behind a pending lease request
        self._blocked: dict[str, float] = {}  # bucket key -> monotonic time it has a token again
        self._redis_down_until = 0.0

    def _budgets(self, agency: str, klass: str) -> tuple[Budget, Budget]:
        if not agency:
            return self.settings.anonymous_budget, self.settings.anonymous_total_budget
        policy = self.settings.agency_rate_limits.get(agency) or self.settings.rate_limits
        return policy.client[klass], policy.agency[klass]

    def _take(self, client_key: str, agency_key: str) -> bool:
        client, agency = self._leases.get(client_key), self._leases.get(agency_key)
        if client is None or agency is None or client[0] < 1 or agency[0] < 1:
            return False
        now = time.monotonic()
        if client[1] < now or agency[1] < now:
            return False
        client[0] -= 1
        agency[0] -= 1
        return True

    async def admit(self, agency: str, client: str, klass: str) -> None:
        """Return when the call may go; raise ``ResourceExhausted`` (with a retry delay) when over budget."""
        prefix = self.settings.rate_limit_prefix
        client_key = f"{prefix}:c:{agency}:{client}:{klass}"
        agency_key = f"{prefix}:a:{agency}:{klass}"
        for _ in range(32):  # each pass takes a leased token or refills the lease (or refuses)
            if self._take(client_key, agency_key):
                return
            self._check_blocked(client_key, "client")
            self._check_blocked(agency_key, "agency")
            pair = (client_key, agency_key)
            pending = self._pending.get(pair)
            if pending is not None:  # another call is already asking Redis for this pair
                self._waiting[pair] = self._waiting.get(pair, 0) + 1
                try:
                    await asyncio.shield(pending)
                finally:
                    self._waiting[pair] -= 1
                continue
            future = self._pending[pair] = asyncio.get_running_loop().create_future()
            try:
                await self._refill(
                    client_key, agency_key, *self._budgets(agency, klass), self._waiting.get(pair, 0)
                )
            finally:
                del self._pending[pair]
                future.set_result(None)
        raise ResourceExhausted("rate limit exceeded; retry later", retry_after=0.05, reason="RATE_LIMITED")

    def _check_blocked(self, key: str, scope: str) -> None:
        until = self._blocked.get(key)
        if until is None:
            return
        left = until - time.monotonic()
        if left <= 0:
            del self._blocked[key]
            return
        raise ResourceExhausted(
            f"the {scope}'s rate limit is exceeded; retry later",
            retry_after=round(left, 3),
            reason="RATE_LIMITED",
            metadata={"limit": scope},
        )

    async def _refill(
        self, client_key: str, agency_key: str, client: Budget, agency: Budget, waiting: int
    ) -> None:
        """Lease tokens for the empty side(s) of the pair: enough for the calls queued behind this one."""
        now = time.monotonic()
        specs: list[tuple[str, Budget, int]] = []
        for key, budget in ((client_key, client), (agency_key, agency)):
            lease = self._leases.get(key)
            fresh = lease is not None and lease[0] >= 1 and lease[1] >= now
            want = max(lease_size(budget), min(waiting + 1, LEASE_MAX))
            specs.append((key, budget, 0 if fresh else want))
        if len(self._leases) > MAX_KEYS:  # forget idle clients' expired leases
            self._leases = {k: v for k, v in self._leases.items() if v[1] >= now}
            self._blocked = {k: v for k, v in self._blocked.items() if v >= now}
            self._waiting = {k: v for k, v in self._waiting.items() if v}
        refused, wait, granted = await self._grant(specs)
        for (key, _, want), got in zip(specs, granted, strict=False):
            if want:
                self._leases[key] = [float(got), now + LEASE_TTL]
        if refused:
            scope = "client" if refused == 1 else "agency"
            self._blocked[specs[refused - 1][0]] = now + max(wait, 0.001)
            raise ResourceExhausted(
                f"the {scope}'s rate limit is exceeded; retry later",
                retry_after=round(max(wait, 0.001), 3),
                reason="RATE_LIMITED",
                metadata={"limit": scope},
            )

    async def _grant(self, specs: list[tuple[str, Budget, int]]) -> tuple[int, float, list[int]]:
        if self._script is not None and time.monotonic() >= self._redis_down_until:
            args: list[float] = []
            for _, budget, want in specs:
                args += [budget.rate, budget.burst, want]
            try:
                reply = await self._script(keys=[key for key, _, _ in specs], args=args)
                if self._redis_down_until:
                    log.info("rate-limit store reachable again; budgets are shared again")
                    self._redis_down_until = 0.0
                return int(reply[0]), float(reply[1]), [int(g) for g in reply[2:]]
            except Exception as exc:  # redis-py's errors are not OSError subclasses
                if not isinstance(exc, OSError | TimeoutError) and not type(exc).__module__.startswith(
                    "redis"
                ):
                    raise
                self._redis_down(exc)
        return self.local.grant(specs)

    def _redis_down(self, exc: BaseException) -> None:
        if not self._redis_down_until:  # once per outage, not at every retry
            log.warning(
                "rate-limit store unreachable; using local budgets split across replicas",
                extra={"error": type(exc).__name__, "retry_in_s": REDIS_RETRY},
            )
        self._redis_down_until = time.monotonic() + REDIS_RETRY


def connect_redis(url: str) -> Any:
    """A redis.asyncio client with short timeouts (the hot path must not hang on a dead store), or None."""
    if not url:
        return None
    import redis.asyncio as redis

    return redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.5)
