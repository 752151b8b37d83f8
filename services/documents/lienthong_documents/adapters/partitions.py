"""The documents service's time-partitioned tables (PostgreSQL; ``lienthong partitions documents ...``)."""

from lienthong_runtime.partitions import OUTBOX, TimePartitioned

PARTITIONED: tuple[TimePartitioned, ...] = (
    OUTBOX,
    TimePartitioned("document_access_log", "at"),
)
