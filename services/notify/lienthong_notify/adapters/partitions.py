"""The notify service's time-partitioned tables (PostgreSQL; ``lienthong partitions notify ...``)."""

from lienthong_runtime.partitions import OUTBOX, TimePartitioned

PARTITIONED: tuple[TimePartitioned, ...] = (OUTBOX,)
