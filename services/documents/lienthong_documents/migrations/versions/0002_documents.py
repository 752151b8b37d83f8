"""Documents tables: the directory, attachments and their sealed chunks, documents, recipients, status history,
the inbox feed and the access log.

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
        "directory_agencies",
        sa.Column("code", sa.String(35), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("search_name", sa.String(200), nullable=False),
        sa.Column("province_code", sa.String(4), nullable=False),
        sa.Column("refuse_unsigned", sa.Boolean(), nullable=False),
        sa.Column("refuse_invalid_signature", sa.Boolean(), nullable=False),
        sa.Column("notification_email", sa.String(254), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(64)),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", SEQ, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_attachments_document", "attachments", ["document_id"])
    op.create_table(
        "attachment_chunks",
        sa.Column("attachment_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("sender_agency_id", sa.String(64), nullable=False),
        sa.Column("sender_code", sa.String(35), nullable=False),
        sa.Column("sender_name", sa.String(200), nullable=False),
        sa.Column("number_symbol", sa.String(100), nullable=False),
        sa.Column("document_type", sa.String(100), nullable=False),
        sa.Column("issue_place", sa.String(100), nullable=False),
        sa.Column("issue_date", sa.Date()),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("signer_name", sa.String(200), nullable=False),
        sa.Column("signer_title", sa.String(200), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("confidentiality", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("related_document_id", sa.String(64), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("recall_time", TS),
        sa.Column("recall_reason", sa.Text(), nullable=False),
        sa.Column("replaced_by", sa.String(64), nullable=False),
        sa.Column("trace", sa.Text(), nullable=False),
        sa.Column("send_time", TS, nullable=False),
    )
    op.create_index(
        "ix_documents_idempotency", "documents", ["sender_agency_id", "idempotency_key"], unique=True
    )
    op.create_index("ix_documents_sender_time", "documents", ["sender_agency_id", "send_time", "id"])
    op.create_table(
        "recipients",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("agency_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(35), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("status_time", TS, nullable=False),
        sa.Column("recall", sa.String(16), nullable=False),
        sa.Column("send_time", TS, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("sender_code", sa.String(35), nullable=False),
    )
    op.create_index("ix_recipients_inbox", "recipients", ["agency_id", "send_time", "document_id"])
    op.create_table(
        "status_history",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("recall", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
    )
    op.create_index("ix_status_history_document", "status_history", ["document_id", "id"])
    op.create_table(
        "inbox_events",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_inbox_events_agency_seq", "inbox_events", ["agency_id", "seq"])
    op.create_table(
        "document_access_log",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("agency_code", sa.String(35), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_document_access_log_document", "document_access_log", ["document_id", "id"])


def downgrade() -> None:
    for table in (
        "document_access_log",
        "inbox_events",
        "status_history",
        "recipients",
        "documents",
        "attachment_chunks",
        "attachments",
        "directory_agencies",
    ):
        op.drop_table(table)
