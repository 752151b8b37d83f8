"""The payment service's time-partitioned tables (PostgreSQL; ``lienthong partitions payment ...``)."""

from lienthong_runtime.partitions import OUTBOX, TimePartitioned

PARTITIONED: tuple[TimePartitioned, ...] = (OUTBOX,)
