"""The outbox and the dossiers' access log (``dossier_access_log``) partitioned by month on PostgreSQL, like
every other block's tables that grow forever (docs/CAPACITY.md, "Growth").

``dossier_access_log`` by ``time``: its primary key becomes ``(id, time)``; ``id`` keeps its sequence (its
position too). The outbox by ``created_at`` (``lienthong_runtime.partitions.convert_outbox``). On SQLite nothing
changes.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from lienthong_runtime.partitions import (
    TimePartitioned,
    convert,
    convert_outbox,
    unpartition,
    unpartition_outbox,
)

revision = "0003"
down_revision = "0002"
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
