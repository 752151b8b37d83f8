"""The outbox and the dossiers' access log (``dossier_access_log``) partitioned by month on PostgreSQL, as every
other service's (``lienthong migrate`` creates a year of partitions ahead from ``adapters/partitions.py``).

``dossier_access_log`` by ``time``: its primary key becomes ``(id, time)``; ``id`` keeps its sequence. The outbox
by ``created_at`` (``lienthong_runtime.partitions.convert_outbox``); a month is detached only once every event in
it is published. On SQLite nothing changes.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from lienthong_runtime.partitions import (
    TimePartitioned,
    convert,
    convert_outbox,
    unpartition,
    unpartition_outbox,
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACCESS_LOG = TimePartitioned("dossier_access_log", "time")
SHAPE = {
    "primary_key": ["id"],
    "indexes": [("ix_dossier_access_log_dossier_id", ["dossier_id"])],
}


def upgrade() -> None:
    conn = op.get_bind()
    convert_outbox(conn)
    convert(conn, ACCESS_LOG, **SHAPE)


def downgrade() -> None:
    conn = op.get_bind()
    unpartition(conn, ACCESS_LOG, **SHAPE)
    unpartition_outbox(conn)
