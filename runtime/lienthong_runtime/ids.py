"""Identifiers the platform generates: time-ordered UUIDs (version 7, RFC 9562 §5.7).

A v7 id starts with the Unix time in milliseconds, so ids of rows written one after another sort together: the
B-tree index of a primary key takes appends at its right edge instead of random pages (uuid4), and an id tells an
operator roughly when its row was made. The remaining 74 bits are random, so ids stay unguessable enough for
references (never for secrets: tokens and keys use ``secrets``). Python's ``uuid.uuid7`` arrives in 3.14; this is
the same layout.
"""

from __future__ import annotations

import os
import time
import uuid

__all__ = ["new_id", "uuid7"]


def uuid7(unix_ms: int | None = None) -> uuid.UUID:
    """A version-7 UUID for ``unix_ms`` (default: now)."""
    ms = time.time_ns() // 1_000_000 if unix_ms is None else unix_ms
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 used
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a (12 bits)
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b (62 bits)
    return uuid.UUID(int=value)


def new_id() -> str:
    """A fresh time-ordered id as 32 lowercase hex digits (the platform's id text, like ``uuid4().hex``): the
    text of :func:`uuid7`, formatted directly (a request id is made on every call; building the ``UUID`` object
    took three times as long as ``uuid4().hex``)."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    return (
        f"{ms & 0xFFFF_FFFF_FFFF:012x}7{(rand >> 62) & 0xFFF:03x}"
        f"{(0b10 << 62) | (rand & 0x3FFF_FFFF_FFFF_FFFF):016x}"
    )
