"""Templates, notifications, the delivery queue, batches, daily usage and callbacks.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "templates",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("create_time", TS, nullable=False),
        sa.UniqueConstraint("agency_id", "channel", "name", name="uq_templates_agency_channel_name"),
    )
    op.create_table(
        "template_versions",
        sa.Column("template_id", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("create_time", TS, nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("template_id", sa.String(32), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sms_encoding", sa.String(10), nullable=True),
        sa.Column("sms_characters", sa.Integer(), nullable=True),
        sa.Column("sms_segments", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("test", sa.Boolean(), nullable=False),
        sa.Column("simulated_outcome", sa.String(30), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.String(100), nullable=False),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("provider_reference", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("create_time", TS, nullable=False),
        sa.Column("send_time", TS, nullable=True),
        sa.Column("complete_time", TS, nullable=True),
        sa.UniqueConstraint("agency_id", "idempotency_key", name="uq_notifications_agency_idempotency"),
    )
    op.create_index("ix_notifications_agency_id", "notifications", ["agency_id", "id"])
    op.create_index("ix_notifications_agency_batch", "notifications", ["agency_id", "batch_id"])
    op.create_table(
        "deliveries",
        sa.Column("notification_id", sa.String(32), primary_key=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("claimed_until", TS, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("give_up_at", TS, nullable=False),
        sa.Column("last_error", sa.String(100), nullable=False),
        sa.Column("recipient_unavailable", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_deliveries_priority_due", "deliveries", ["priority", "due_at"])
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("template_id", sa.String(32), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("results", sa.LargeBinary(), nullable=False),
        sa.Column("create_time", TS, nullable=False),
        sa.UniqueConstraint("agency_id", "idempotency_key", name="uq_batches_agency_idempotency"),
    )
    op.create_table(
        "daily_usage",
        sa.Column("agency_id", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(10), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "callbacks",
        sa.Column("agency_id", sa.String(64), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("statuses", sa.String(200), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("secret_create_time", TS, nullable=False),
        sa.Column("create_time", TS, nullable=False),
        sa.Column("update_time", TS, nullable=False),
    )
    op.create_table(
        "callback_deliveries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_callback_deliveries_due", "callback_deliveries", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_callback_deliveries_due", "callback_deliveries")
    op.drop_table("callback_deliveries")
    op.drop_table("callbacks")
    op.drop_table("daily_usage")
    op.drop_table("batches")
    op.drop_index("ix_deliveries_priority_due", "deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_notifications_agency_batch", "notifications")
    op.drop_index("ix_notifications_agency_id", "notifications")
    op.drop_table("notifications")
    op.drop_table("template_versions")
    op.drop_table("templates")
