"""The outbox partitioned by month on PostgreSQL. On SQLite nothing changes.

The outbox by ``created_at`` (``lienthong_runtime.partitions.convert_outbox``): primary key ``(seq, created_at)``,
``seq`` keeps its sequence; a month is detached only once every event in it is published.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from lienthong_runtime.partitions import convert_outbox, unpartition_outbox

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    convert_outbox(conn)


def downgrade() -> None:
    conn = op.get_bind()
    unpartition_outbox(conn)
