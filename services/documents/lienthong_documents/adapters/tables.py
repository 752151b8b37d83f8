"""Database tables of the documents service (SQLAlchemy Core). Migrations: ``migrations/versions``."""

from sqlalchemy import (
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
)

from lienthong_runtime.columns import Seq, UtcDateTime
from lienthong_runtime.events import outbox_table, processed_events_table

metadata = MetaData()
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

directory = Table(
    "directory_agencies",
    metadata,
    Column("code", String(35), primary_key=True),
    Column("agency_id", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("search_name", String(200), nullable=False),
    Column("province_code", String(4), nullable=False),
    Column("refuse_unsigned", Boolean, nullable=False),
    Column("refuse_invalid_signature", Boolean, nullable=False),
    Column("notification_email", String(254), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# identity's agencies as its events told them (AgencyCreated, AgencySuspended, AgencyResumed): the directory
# registers only agencies known here, and a suspended one can neither send nor receive. ``state_time`` is the
# instant of the suspension or resumption last applied, so a late event never undoes a newer one.
identity_agencies = Table(
    "identity_agencies",
    metadata,
    Column("agency_id", String(64), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("province_code", String(4), nullable=False),
    Column("suspended", Boolean, nullable=False),
    Column("state_time", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("document_id", String(64)),
    Column("file_name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Seq, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("chunks", Integer, nullable=False),
    # The SignatureCheck as JSON (signer, certificate, time, state, problem).
    Column("signature", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_attachments_document", "document_id"),
)

# Attachment content: fixed-size plaintext chunks, each sealed on its own (AES-256-GCM, key id beside it) with
# the attachment id and chunk number as associated data, so chunks cannot be swapped or reordered.
attachment_chunks = Table(
    "attachment_chunks",
    metadata,
    Column("attachment_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("key_id", String(64), nullable=False),
    Column("blob", LargeBinary, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("sender_agency_id", String(64), nullable=False),
    Column("sender_code", String(35), nullable=False),
    Column("sender_name", String(200), nullable=False),
    Column("number_symbol", String(100), nullable=False),
    Column("document_type", String(100), nullable=False),
    Column("issue_place", String(100), nullable=False),
    Column("issue_date", Date),
    Column("summary", Text, nullable=False),
    Column("signer_name", String(200), nullable=False),
    Column("signer_title", String(200), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("confidentiality", String(16), nullable=False),
    Column("idempotency_key", String(100), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("related_document_id", String(64), nullable=False),
    Column("relation", String(16), nullable=False),
    Column("recall_time", UtcDateTime),
    Column("recall_reason", Text, nullable=False),
    Column("replaced_by", String(64), nullable=False),
    # The edXML trace of hops before this platform, as JSON [[code, iso time], ...].
    Column("trace", Text, nullable=False),
    Column("send_time", UtcDateTime, nullable=False),
    Index("ix_documents_idempotency", "sender_agency_id", "idempotency_key", unique=True),
    Index("ix_documents_sender_time", "sender_agency_id", "send_time", "id"),
)

recipients = Table(
    "recipients",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("agency_id", String(64), primary_key=True),
    Column("code", String(35), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("status", Integer, nullable=False),
    Column("status_time", UtcDateTime, nullable=False),
    Column("recall", String(16), nullable=False),
    # Copies of the document's send time, urgency and sender for inbox filters without a join.
    Column("send_time", UtcDateTime, nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("sender_code", String(35), nullable=False),
    Index("ix_recipients_inbox", "agency_id", "send_time", "document_id"),
)

status_history = Table(
    "status_history",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("document_id", String(64), nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("recall", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Index("ix_status_history_document", "document_id", "id"),
)

# The inbox feed of SubscribeInbox: a per-platform sequence is the cursor (increasing, never reused).
inbox_events = Table(
    "inbox_events",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("agency_id", String(64), nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_inbox_events_agency_seq", "agency_id", "seq"),
)

access_log = Table(
    "document_access_log",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("document_id", String(64), nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("agency_code", String(35), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_document_access_log_document", "document_id", "id"),
)
