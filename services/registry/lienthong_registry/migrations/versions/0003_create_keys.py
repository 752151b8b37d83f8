"""Idempotency keys of CreateCitizen: a retried create returns the record it created instead of ALREADY_EXISTS.

One row per (agency, key) with a keyed digest of the request (never the record in clear) and the record's blind
index.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizen_create_keys",
        sa.Column("agency_id", sa.String(100), primary_key=True),
        sa.Column("idempotency_key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.LargeBinary(32), nullable=False),
        sa.Column("pid_index", sa.LargeBinary(32), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("citizen_create_keys")
