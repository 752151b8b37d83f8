"""The registry's time-partitioned tables (PostgreSQL; ``lienthong partitions registry ...``).

Detaching a month of the access log first records its chain anchor in ``access_log_archives``, so the chain that
remains verifies from the last archived hash (``verify-log``). An anchor recorded for a month still attached
(a detach interrupted) changes nothing: the verification starts after it either way."""

from __future__ import annotations

import time
from typing import Any

from lienthong_runtime.partitions import PartitionRefused, TimePartitioned


async def anchor_access_log_month(conn: Any, partition: str) -> dict[str, Any]:
    """Record where the detached month's entries start and end in the chain; refuse unless they are the oldest
    entries still attached (the chain that remains must start right after them)."""
    first = await conn.fetchrow(
        f"SELECT sequence, previous_hash FROM {partition} ORDER BY sequence LIMIT 1"  # noqa: S608 (our names)
    )
    if first is None:
        return {}
    last = await conn.fetchrow(
        f"SELECT sequence, entry_hash, (SELECT count(*) FROM {partition}) AS entries "  # noqa: S608
        f"FROM {partition} ORDER BY sequence DESC LIMIT 1"
    )
    if last["entries"] != last["sequence"] - first["sequence"] + 1:
        raise PartitionRefused(f"{partition} does not hold one contiguous range of sequences")
    # Sequences increase with time (``chain`` never lets time go back), so an oldest month is a prefix.
    earlier = await conn.fetchval("SELECT 1 FROM access_log WHERE sequence < $1 LIMIT 1", first["sequence"])
    following = await conn.fetchval(
        "SELECT sequence FROM access_log WHERE sequence > $1 ORDER BY sequence LIMIT 1", last["sequence"]
    )
    if earlier or (following is not None and following != last["sequence"] + 1):
        raise PartitionRefused(f"{partition} is not the oldest part of the chain still attached")
    anchor = {
        "first_sequence": first["sequence"],
        "last_sequence": last["sequence"],
        "first_previous_hash": first["previous_hash"],
        "last_hash": last["entry_hash"],
        "entries": last["entries"],
    }
    await conn.execute(
        "INSERT INTO access_log_archives (partition, first_sequence, last_sequence, first_previous_hash, "
        "last_hash, entries, detached_us) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (partition) DO NOTHING",
        partition,
        *anchor.values(),
        time.time_ns() // 1000,
    )
    return anchor


PARTITIONED = (
    TimePartitioned("access_log", "time_us", unit="microseconds", on_detach=anchor_access_log_month),
    TimePartitioned("outbox", "created_at", keep_while="published_at IS NULL"),
)
