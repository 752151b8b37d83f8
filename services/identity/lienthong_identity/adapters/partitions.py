"""The identity service's time-partitioned tables (PostgreSQL; ``lienthong partitions identity ...``)."""

from lienthong_runtime.partitions import OUTBOX, TimePartitioned

PARTITIONED: tuple[TimePartitioned, ...] = (
    OUTBOX,
    TimePartitioned("audit_events", "time"),
)
