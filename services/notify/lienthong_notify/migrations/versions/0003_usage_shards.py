"""Shard the daily usage counters so concurrent sends of one agency do not queue on a single row.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _create(sharded: bool) -> None:
    columns = [
        sa.Column("agency_id", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(10), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
    ]
    if sharded:
        columns.append(sa.Column("shard", sa.SmallInteger(), primary_key=True))
    op.create_table("daily_usage", *columns, sa.Column("count", sa.Integer(), nullable=False))


def upgrade() -> None:
    # Counters only matter for the current day; starting them afresh is harmless.
    op.drop_table("daily_usage")
    _create(sharded=True)


def downgrade() -> None:
    op.drop_table("daily_usage")
    _create(sharded=False)
