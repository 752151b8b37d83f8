"""The apology letter's new appointment date (ngày hẹn trả kết quả mới).

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
    op.add_column("dossier_apologies", sa.Column("new_appointment_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("dossier_apologies", "new_appointment_date")
