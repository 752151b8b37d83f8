"""A short-lived per-process cache of disclosure policies: every read needs one, and they change rarely."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..domain.disclosure import DisclosurePolicy
from . import policy_store


class PolicyCache:
    """Policies (and their absence) by (agency, purpose) for ``ttl`` seconds; cleared on local changes."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[float, DisclosurePolicy | None]] = {}

    async def get(self, reading: Callable[[], Any], agency_id: str, purpose: str) -> DisclosurePolicy | None:
        """The policy; ``reading()`` (an async context manager yielding a connection) is entered on a miss."""
        key = (agency_id, purpose)
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        async with reading() as conn:
            policy = await policy_store.get(conn, agency_id, purpose)
        if self.ttl > 0:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (now + self.ttl, policy)
        return policy

    def invalidate(self) -> None:
        self._entries.clear()
