"""Database tables of the dossiers service (SQLAlchemy Core). Migrations: ``migrations/versions``.

The citizen's personal ID and the form (personal data) are sealed with the service's keyring; dossiers are found
by the citizen through a blind index of the ID. A part row keeps, next to its state, the figures its history
determines (receipt, deadline, completion, working days used), each written in the same transaction as the
history row that determines it, so the on-time report aggregates one table.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from lienthong_runtime.columns import Seq, UtcDateTime
from lienthong_runtime.events import outbox_table, processed_events_table

metadata = MetaData()
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

procedures = Table(
    "procedures",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("agency_id", String(64), nullable=False),
    Column("name", String(300), nullable=False),
    Column("spec", Text, nullable=False),  # JSON of the version's rules
    Column("publish_time", UtcDateTime, nullable=False),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("procedure_code", String(40), nullable=False),
    Column("procedure_version", Integer, nullable=False),
    Column("procedure_name", String(300), nullable=False),
    Column("citizen_key", LargeBinary, nullable=False),
    Column("citizen_kid", String(64), nullable=False),
    Column("citizen_blob", LargeBinary, nullable=False),
    Column("form_kid", String(64), nullable=False),
    Column("form_blob", LargeBinary, nullable=False),
    Column("fee_vnd", BigInteger, nullable=False),
    Column("fee_agency_id", String(64), nullable=False),
    Column("payment_reference", String(40), nullable=False),
    Column("fee_paid", Boolean, nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("file_time", UtcDateTime, nullable=False),
    Column("complete_time", UtcDateTime),
    UniqueConstraint("citizen_key", "idempotency_key", name="uq_dossiers_idempotency"),
    Index("ix_dossiers_citizen", "citizen_key", "file_time", "id"),
    Index("ix_dossiers_payment_reference", "payment_reference"),
)

parts = Table(
    "dossier_parts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("dossier_id", String(64), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("procedure_code", String(40), nullable=False),
    Column("title", String(300), nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("state", String(32), nullable=False),
    Column("received_at", UtcDateTime),
    Column("received_on", Date),
    Column("period", String(7), nullable=False),  # YYYY-MM of received_on, "" before receipt
    Column("due_date", Date),
    Column("remaining_days", Integer),
    Column("paused_on", Date),
    Column("paused_days", Integer, nullable=False),
    Column("completed_at", UtcDateTime),
    Column("completed_on", Date),
    Column("working_days_used", Integer),
    Column("officer_id", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("result_document_id", String(64), nullable=False),
    Column("apologised", Boolean, nullable=False),
    Index("ix_dossier_parts_inbox", "agency_id", "due_date", "id"),
    # Covering on PostgreSQL: one agency's report is an index-only scan (its rows are spread over every page).
    Index(
        "ix_dossier_parts_report",
        "agency_id",
        "period",
        "procedure_code",
        postgresql_include=["received_on", "due_date", "completed_on", "state", "working_days_used"],
    ),
)

history = Table(
    "dossier_part_history",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("part_id", String(64), nullable=False, index=True),
    Column("dossier_id", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("time", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
)

apologies = Table(
    "dossier_apologies",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("part_id", String(64), nullable=False, index=True),
    Column("dossier_id", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("new_appointment_date", Date, nullable=True),
)

access_log = Table(
    "dossier_access_log",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("dossier_id", String(64), nullable=False, index=True),
    Column("actor_kind", String(16), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("time", UtcDateTime, nullable=False),
)

calendar_days = Table(
    "calendar_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("year", Integer, nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # "working" (make-up day) | "off" (extra day off)
)

known_documents = Table(
    "known_documents",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("sender_agency_id", String(64), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

#: Citizens' uploads for ATTACHMENT components: the owner as a blind index of their personal ID.
attachments = Table(
    "dossier_attachments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("owner_key", LargeBinary, nullable=False, index=True),
    Column("file_name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

#: Their content, each piece sealed under the keyring (bound to the attachment and the piece's position).
attachment_pieces = Table(
    "dossier_attachment_pieces",
    metadata,
    Column("attachment_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
)
