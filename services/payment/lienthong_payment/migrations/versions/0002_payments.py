"""Payments, their transitions, refunds, the double-entry ledger and provider notifications.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("return_url", sa.Text(), nullable=False),
        sa.Column("payer_email", sa.String(254), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("provider_reference", sa.String(100), nullable=False),
        sa.Column("failure_reason", sa.String(100), nullable=False),
        sa.Column("refunded_amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("refund_pending_vnd", sa.BigInteger(), nullable=False),
        sa.Column("redirect_url", sa.Text(), nullable=False),
        sa.Column("redirect_expire_time", TIME),
        sa.Column("sandbox_scenario", sa.SmallInteger(), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
        sa.Column("expire_time", TIME, nullable=False),
        sa.Column("finish_time", TIME),
        sa.UniqueConstraint("agency_id", "idempotency_key", name="uq_payments_agency_key"),
    )
    op.create_index("ix_payments_agency_created", "payments", ["agency_id", "create_time", "id"])
    op.create_index("ix_payments_agency_reference", "payments", ["agency_id", "reference"])
    op.create_index("ix_payments_state_expire", "payments", ["state", "expire_time"])
    op.create_index("ix_payments_agency_finished", "payments", ["agency_id", "finish_time"])
    op.create_table(
        "payment_transitions",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("payment_id", sa.String(36), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("from_state", sa.SmallInteger(), nullable=False),
        sa.Column("to_state", sa.SmallInteger(), nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.Column("cause", sa.String(50), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
    )
    op.create_index("ix_payment_transitions_payment_id", "payment_transitions", ["payment_id"])
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("payment_id", sa.String(36), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("failure_reason", sa.String(100), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
        sa.Column("finish_time", TIME),
        sa.UniqueConstraint("agency_id", "idempotency_key", name="uq_refunds_agency_key"),
    )
    op.create_index("ix_refunds_payment_id", "refunds", ["payment_id"])
    op.create_index("ix_refunds_agency_created", "refunds", ["agency_id", "create_time", "id"])
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payment_id", sa.String(36), nullable=False),
        sa.Column("refund_id", sa.String(36), nullable=False),
        sa.Column("source_key", sa.String(80), nullable=False, unique=True),
        sa.Column("time", TIME, nullable=False),
    )
    op.create_index("ix_ledger_transactions_agency_id", "ledger_transactions", ["agency_id"])
    op.create_index("ix_ledger_transactions_payment_id", "ledger_transactions", ["payment_id"])
    op.create_table(
        "ledger_lines",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("transaction_id", sa.String(36), sa.ForeignKey("ledger_transactions.id"), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("time", TIME, nullable=False),
    )
    op.create_index("ix_ledger_lines_transaction_id", "ledger_lines", ["transaction_id"])
    op.create_index("ix_ledger_lines_agency_account", "ledger_lines", ["agency_id", "account"])
    op.create_table(
        "provider_notifications",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("payment_id", sa.String(64), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("disposition", sa.String(32), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
    )
    op.create_index("ix_provider_notifications_payment_id", "provider_notifications", ["payment_id"])
    op.create_index("ix_provider_notifications_disposition", "provider_notifications",
                    ["disposition", "received_at"])


def downgrade() -> None:
    for table in ("provider_notifications", "ledger_lines", "ledger_transactions", "refunds",
                  "payment_transitions", "payments"):
        op.drop_table(table)
