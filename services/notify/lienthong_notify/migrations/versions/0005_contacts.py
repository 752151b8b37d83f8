"""Citizen contacts learnt from identity's CitizenContactChanged, for telling citizens their record changed.

Keyed by a blind index of the personal ID; the e-mail and phone number are sealed (AES-256-GCM, key id beside).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("personal_id_index", sa.LargeBinary(32), primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("change_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("contacts")
