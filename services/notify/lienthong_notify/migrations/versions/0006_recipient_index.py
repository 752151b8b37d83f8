"""Index for a citizen's own notifications (ListMyNotifications finds them by recipient).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notifications_recipient_id", "notifications", ["recipient", "id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_recipient_id", "notifications")
