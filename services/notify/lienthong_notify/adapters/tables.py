"""Database tables of the notify service (schema in migrations/versions; keep both in step)."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from lienthong_runtime.events import outbox_table, processed_events_table

metadata = MetaData()
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

TS = DateTime(timezone=True)

templates = Table(
    "templates",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("name", String(100), nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("create_time", TS, nullable=False),
    UniqueConstraint("agency_id", "channel", "name", name="uq_templates_agency_channel_name"),
)

template_versions = Table(
    "template_versions",
    metadata,
    Column("template_id", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("create_time", TS, nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("template_id", String(32), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("sms_encoding", String(10), nullable=True),
    Column("sms_characters", Integer, nullable=True),
    Column("sms_segments", Integer, nullable=True),
    Column("batch_id", String(32), nullable=False),
    Column("test", Boolean, nullable=False),
    Column("simulated_outcome", String(30), nullable=False),
    Column("attempt_count", Integer, nullable=False),
    Column("failure_reason", String(100), nullable=False),
    Column("provider", String(50), nullable=False),
    Column("provider_reference", String(200), nullable=False),
    Column("idempotency_key", String(200), nullable=True),
    Column("fingerprint", String(64), nullable=False),
    Column("create_time", TS, nullable=False),
    Column("send_time", TS, nullable=True),
    Column("complete_time", TS, nullable=True),
    #: The recipient, subject and body, sealed (``personal_fields.PersonalFields``); the clear columns above
    #: are empty in every row written since migration 0006.
    Column("key_id", String(64), nullable=True),
    Column("sealed", LargeBinary, nullable=True),
    #: A blind index (keyed HMAC) of the recipient, so a citizen's own notifications are found without the clear
    #: address (migration 0007); empty in rows written before it.
    Column("recipient_index", LargeBinary, nullable=True),
    UniqueConstraint("agency_id", "idempotency_key", name="uq_notifications_agency_idempotency"),
    Index("ix_notifications_agency_id", "agency_id", "id"),
    Index("ix_notifications_agency_batch", "agency_id", "batch_id"),
    Index("ix_notifications_status_send_time", "status", "send_time"),
    Index("ix_notifications_recipient_id", "recipient", "id"),
    Index("ix_notifications_recipient_index_id", "recipient_index", "id"),
)

#: The durable delivery queue: one row per notification still to hand to a provider. A claim pushes
#: ``due_at`` to the end of the lease, so a crashed worker's rows come back by themselves.
deliveries = Table(
    "deliveries",
    metadata,
    Column("notification_id", String(32), primary_key=True),
    Column("priority", SmallInteger, nullable=False),
    Column("due_at", TS, nullable=False),
    Column("claimed_until", TS, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("give_up_at", TS, nullable=False),
    Column("last_error", String(100), nullable=False),
    Column("recipient_unavailable", Boolean, nullable=False),
    Index("ix_deliveries_priority_due", "priority", "due_at"),
)

batches = Table(
    "batches",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("template_id", String(32), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("recipient_count", Integer, nullable=False),
    Column("accepted_count", Integer, nullable=False),
    Column("rejected_count", Integer, nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    #: JSON of the per-recipient results, returned again on an idempotent retry.
    Column("results", LargeBinary, nullable=False),
    Column("create_time", TS, nullable=False),
    UniqueConstraint("agency_id", "idempotency_key", name="uq_batches_agency_idempotency"),
)

daily_usage = Table(
    "daily_usage",
    metadata,
    Column("agency_id", String(64), primary_key=True),
    Column("channel", String(10), primary_key=True),
    Column("day", String(10), primary_key=True),
    #: Counters are spread over a few rows (see usage_store) so concurrent sends do not queue on one row lock.
    Column("shard", SmallInteger, primary_key=True),
    Column("count", Integer, nullable=False),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("agency_id", String(64), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("statuses", String(200), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("secret_create_time", TS, nullable=False),
    Column("create_time", TS, nullable=False),
    Column("update_time", TS, nullable=False),
)

callback_deliveries = Table(
    "callback_deliveries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("due_at", TS, nullable=False),
    Column("attempts", Integer, nullable=False),
    Index("ix_callback_deliveries_due", "due_at"),
)

#: Citizen contacts (from identity's CitizenContactChanged): found by a blind index of the personal ID, the
#: e-mail and phone sealed together (see adapters/contact_store.py). No clear personal data.
contacts = Table(
    "contacts",
    metadata,
    Column("personal_id_index", LargeBinary(32), primary_key=True),
    Column("key_id", String(64), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("change_time", TS, nullable=False),
    Column("update_time", TS, nullable=False),
)
