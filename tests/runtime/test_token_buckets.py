"""The runtime's token buckets (the gateway's fallback limiter and identity's per-address budget spend them)."""

from __future__ import annotations

from lienthong_runtime import token_buckets
from lienthong_runtime.token_buckets import MAX_WAIT, TokenBuckets


def test_a_bucket_grants_its_burst_then_answers_the_wait(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(token_buckets.time, "monotonic", lambda: clock[0])
    buckets = TokenBuckets()
    assert buckets.take("a", rate=2, burst=3, want=2) == (2, 0.0)
    assert buckets.take("a", rate=2, burst=3, want=5) == (1, 0.0)  # what is left, not more
    assert buckets.take("a", rate=2, burst=3) == (0, 0.5)  # one token comes back in 1/rate seconds
    assert buckets.take("b", rate=2, burst=3) == (1, 0.0)  # another key has its own bucket
    clock[0] += 0.5
    assert buckets.take("a", rate=2, burst=3) == (1, 0.0)
    clock[0] += 60
    assert buckets.take("a", rate=2, burst=3, want=10) == (3, 0.0)  # refilled up to the burst only


def test_full_buckets_are_forgotten_past_max_keys(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(token_buckets.time, "monotonic", lambda: clock[0])
    buckets = TokenBuckets(max_keys=2)
    for key in ("a", "b", "c"):
        buckets.take(key, rate=1, burst=1)
    clock[0] += 5  # every bucket is full again
    buckets.take("d", rate=1, burst=1)
    assert set(buckets._state) == {"d"}


def test_a_bucket_that_never_refills_caps_its_wait():
    buckets = TokenBuckets()
    assert buckets.take("a", rate=0, burst=1) == (1, 0.0)
    assert buckets.take("a", rate=0, burst=1) == (0, MAX_WAIT)
