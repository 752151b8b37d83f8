"""The dossiers service's time-partitioned tables (PostgreSQL; ``lienthong partitions dossiers ...``)."""

from lienthong_runtime.partitions import OUTBOX, TimePartitioned

PARTITIONED: tuple[TimePartitioned, ...] = (
    OUTBOX,
    TimePartitioned("dossier_access_log", "time"),
)
