"""The outbox and the documents' access log (``document_access_log``) partitioned by month on PostgreSQL.

``document_access_log`` by ``at``: its primary key becomes ``(id, at)``; ``id`` keeps its sequence (its
position too). On SQLite nothing changes.

The outbox by ``created_at`` (``lienthong_runtime.partitions.convert_outbox``): primary key ``(seq, created_at)``,
``seq`` keeps its sequence; a month is detached only once every event in it is published.

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

ACCESS_LOG = TimePartitioned("document_access_log", "at")
SHAPE = {
    "primary_key": ["id"],
    "indexes": [("ix_document_access_log_document", ["document_id", "id"])],
}


def upgrade() -> None:
    conn = op.get_bind()
    convert_outbox(conn)
    convert(conn, ACCESS_LOG, **SHAPE)


def downgrade() -> None:
    conn = op.get_bind()
    unpartition(conn, ACCESS_LOG, **SHAPE)
    unpartition_outbox(conn)
