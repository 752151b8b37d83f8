"""The access log and the outbox partitioned by month on PostgreSQL, with the chain's head and archive anchors.

``access_log`` becomes ``PARTITION BY RANGE (time_us)`` with its rows (one partition per month from the oldest
entry to three months ahead); its primary key becomes ``(sequence, time_us)`` and ``id`` is unique per month
(a random UUID). A sequence stays unique through ``access_log_head``: every append moves the head from the tail
it chained after, on condition that it is still there. The append-only trigger is recreated on the partitioned
table. ``access_log_archives`` keeps the anchors of detached months (append-only too). On SQLite the tables stay
plain and only the two new tables are created.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
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

ACCESS_LOG = TimePartitioned("access_log", "time_us", unit="microseconds")
SHAPE = {
    "primary_key": ["sequence"],
    "uniques": [("access_log_id_key", ["id"])],
    "indexes": [
        ("ix_access_log_subject", ["subject", "sequence"]),
        ("ix_access_log_agency", ["agency_id", "sequence"]),
    ],
}


def upgrade() -> None:
    op.create_table(
        "access_log_head",
        sa.Column("id", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("time_us", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "access_log_archives",
        sa.Column("partition", sa.String(100), primary_key=True),
        sa.Column("first_sequence", sa.BigInteger(), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.Column("first_previous_hash", sa.String(64), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("detached_us", sa.BigInteger(), nullable=False),
    )
    # The head starts at the log's last entry (or the genesis when the log is empty).
    op.execute(
        "INSERT INTO access_log_head (id, sequence, entry_hash, time_us) "
        "SELECT 1, coalesce(max(sequence), 0), "
        "coalesce((SELECT entry_hash FROM access_log ORDER BY sequence DESC LIMIT 1), "
        "'0000000000000000000000000000000000000000000000000000000000000000'), "
        "coalesce((SELECT time_us FROM access_log ORDER BY sequence DESC LIMIT 1), 0) FROM access_log"
    )
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    convert(conn, ACCESS_LOG, **SHAPE)
    op.execute(
        "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
        "FOR EACH ROW EXECUTE FUNCTION registry_append_only()"
    )
    op.execute(
        "CREATE TRIGGER access_log_archives_append_only BEFORE UPDATE OR DELETE ON access_log_archives "
        "FOR EACH ROW EXECUTE FUNCTION registry_append_only()"
    )
    convert_outbox(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        unpartition_outbox(conn)
        unpartition(conn, ACCESS_LOG, **SHAPE)
        op.execute(
            "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
            "FOR EACH ROW EXECUTE FUNCTION registry_append_only()"
        )
    op.drop_table("access_log_archives")
    op.drop_table("access_log_head")
