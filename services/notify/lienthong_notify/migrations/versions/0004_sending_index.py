"""Index for the sweep that ends SMS whose provider never sent a receipt.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notifications_status_send_time", "notifications", ["status", "send_time"])


def downgrade() -> None:
    op.drop_index("ix_notifications_status_send_time", "notifications")
