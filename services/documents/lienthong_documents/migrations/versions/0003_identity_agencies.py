"""identity's agencies as documents learns them from identity's events (the directory's check that an agency
exists and is not suspended).

Directory entries registered before this revision have no row here; they keep working (not suspended) until an
event about their agency arrives.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "identity_agencies",
        sa.Column("agency_id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("province_code", sa.String(4), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("state_time", TS),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("identity_agencies")
