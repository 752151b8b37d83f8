"""Dossiers tables: procedures (versioned), dossiers, their parts, part history, apology letters, the access
log, the operator's calendar days and the documents known from documents' events.

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
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "procedures",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("publish_time", TS, nullable=False),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("procedure_code", sa.String(40), nullable=False),
        sa.Column("procedure_version", sa.Integer(), nullable=False),
        sa.Column("procedure_name", sa.String(300), nullable=False),
        sa.Column("citizen_key", sa.LargeBinary(), nullable=False),
        sa.Column("citizen_kid", sa.String(64), nullable=False),
        sa.Column("citizen_blob", sa.LargeBinary(), nullable=False),
        sa.Column("form_kid", sa.String(64), nullable=False),
        sa.Column("form_blob", sa.LargeBinary(), nullable=False),
        sa.Column("fee_vnd", sa.BigInteger(), nullable=False),
        sa.Column("fee_agency_id", sa.String(64), nullable=False),
        sa.Column("payment_reference", sa.String(40), nullable=False),
        sa.Column("fee_paid", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("file_time", TS, nullable=False),
        sa.Column("complete_time", TS),
        sa.UniqueConstraint("citizen_key", "idempotency_key", name="uq_dossiers_idempotency"),
    )
    op.create_index("ix_dossiers_citizen", "dossiers", ["citizen_key", "file_time", "id"])
    op.create_index("ix_dossiers_payment_reference", "dossiers", ["payment_reference"])
    op.create_table(
        "dossier_parts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("dossier_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("procedure_code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("received_at", TS),
        sa.Column("received_on", sa.Date()),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("due_date", sa.Date()),
        sa.Column("remaining_days", sa.Integer()),
        sa.Column("paused_on", sa.Date()),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("completed_at", TS),
        sa.Column("completed_on", sa.Date()),
        sa.Column("working_days_used", sa.Integer()),
        sa.Column("officer_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("result_document_id", sa.String(64), nullable=False),
        sa.Column("apologised", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_dossier_parts_dossier_id", "dossier_parts", ["dossier_id"])
    op.create_index("ix_dossier_parts_inbox", "dossier_parts", ["agency_id", "due_date", "id"])
    op.create_index(
        "ix_dossier_parts_report",
        "dossier_parts",
        ["agency_id", "period", "procedure_code"],
        postgresql_include=["received_on", "due_date", "completed_on", "state", "working_days_used"],
    )
    op.create_table(
        "dossier_part_history",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("part_id", sa.String(64), nullable=False),
        sa.Column("dossier_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("time", TS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_dossier_part_history_part_id", "dossier_part_history", ["part_id"])
    op.create_table(
        "dossier_apologies",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("part_id", sa.String(64), nullable=False),
        sa.Column("dossier_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
    )
    op.create_index("ix_dossier_apologies_part_id", "dossier_apologies", ["part_id"])
    op.create_table(
        "dossier_access_log",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("dossier_id", sa.String(64), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("time", TS, nullable=False),
    )
    op.create_index("ix_dossier_access_log_dossier_id", "dossier_access_log", ["dossier_id"])
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
    )
    op.create_index("ix_calendar_days_year", "calendar_days", ["year"])
    op.create_table(
        "known_documents",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("sender_agency_id", sa.String(64), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "known_documents",
        "calendar_days",
        "dossier_access_log",
        "dossier_apologies",
        "dossier_part_history",
        "dossier_parts",
        "dossiers",
        "procedures",
    ):
        op.drop_table(table)
