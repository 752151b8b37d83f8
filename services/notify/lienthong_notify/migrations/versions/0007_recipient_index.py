"""A citizen's own notifications (ListMyNotifications) are found by a blind index of the recipient, since the
recipient itself is stored only sealed (0006); rows written before sealing are found by their clear column.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("recipient_index", sa.LargeBinary(), nullable=True))
    op.create_index("ix_notifications_recipient_index_id", "notifications", ["recipient_index", "id"])
    op.create_index("ix_notifications_recipient_id", "notifications", ["recipient", "id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_recipient_id", "notifications")
    op.drop_index("ix_notifications_recipient_index_id", "notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("recipient_index")
