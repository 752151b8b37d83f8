"""The outbox and the security audit trail (``audit_events``) partitioned by month on PostgreSQL.

``audit_events`` by ``time``: its primary key becomes ``(id, time)`` (ids are random); its indexes stay as they
were. On SQLite nothing changes.

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

AUDIT = TimePartitioned("audit_events", "time")
SHAPE = {
    "primary_key": ["id"],
    "indexes": [("ix_audit_agency_time", ["agency_id", "time", "id"]), ("ix_audit_time", ["time", "id"])],
}


def upgrade() -> None:
    conn = op.get_bind()
    convert_outbox(conn)
    convert(conn, AUDIT, **SHAPE)


def downgrade() -> None:
    conn = op.get_bind()
    unpartition(conn, AUDIT, **SHAPE)
    unpartition_outbox(conn)
