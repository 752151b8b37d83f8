"""Database tables of the payment service (created by migrations/versions/0002_payments.py, then changed by
later revisions)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
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

_serial = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY
_time = DateTime(timezone=True)

payments = Table(
    "payments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("description", String(255), nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("state", SmallInteger, nullable=False),
    Column("provider", String(20), nullable=False),
    Column("return_url", Text, nullable=False),
    # Sealed (AES-256-GCM, key id beside it, bound to the payment id); both NULL without an e-mail.
    Column("payer_email_key_id", String(64)),
    Column("payer_email_sealed", LargeBinary),
    # Kept for the payment's lifetime (at least the 24 hours the contract promises).
    Column("idempotency_key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("provider_reference", String(100), nullable=False),
    Column("failure_reason", String(100), nullable=False),
    Column("refunded_amount_vnd", BigInteger, nullable=False),
    Column("refund_pending_vnd", BigInteger, nullable=False),
    Column("redirect_url", Text, nullable=False),
    Column("redirect_expire_time", _time),
    Column("sandbox_scenario", SmallInteger, nullable=False),
    Column("create_time", _time, nullable=False),
    Column("update_time", _time, nullable=False),
    Column("expire_time", _time, nullable=False),
    Column("finish_time", _time),
    UniqueConstraint("agency_id", "idempotency_key", name="uq_payments_agency_key"),
    Index("ix_payments_agency_created", "agency_id", "create_time", "id"),
    Index("ix_payments_agency_reference", "agency_id", "reference"),
    Index("ix_payments_state_expire", "state", "expire_time"),
    Index("ix_payments_agency_finished", "agency_id", "finish_time"),
)

payment_transitions = Table(
    "payment_transitions",
    metadata,
    Column("id", _serial, primary_key=True, autoincrement=True),
    Column("payment_id", String(36), ForeignKey("payments.id"), nullable=False, index=True),
    Column("from_state", SmallInteger, nullable=False),
    Column("to_state", SmallInteger, nullable=False),
    Column("time", _time, nullable=False),
    Column("cause", String(50), nullable=False),
    Column("detail", String(500), nullable=False),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("payment_id", String(36), ForeignKey("payments.id"), nullable=False, index=True),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("state", SmallInteger, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("failure_reason", String(100), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("create_time", _time, nullable=False),
    Column("update_time", _time, nullable=False),
    Column("finish_time", _time),
    UniqueConstraint("agency_id", "idempotency_key", name="uq_refunds_agency_key"),
    Index("ix_refunds_agency_created", "agency_id", "create_time", "id"),
)

ledger_transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("payment_id", String(36), nullable=False, index=True),
    Column("refund_id", String(36), nullable=False),
    # `payment:<id>` or `refund:<id>`: the same business fact can never be posted twice.
    Column("source_key", String(80), nullable=False, unique=True),
    Column("time", _time, nullable=False),
)

ledger_lines = Table(
    "ledger_lines",
    metadata,
    Column("id", _serial, primary_key=True, autoincrement=True),
    Column("transaction_id", String(36), ForeignKey("ledger_transactions.id"), nullable=False, index=True),
    Column("agency_id", String(64), nullable=False),
    Column("account", String(200), nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("time", _time, nullable=False),
    Index("ix_ledger_lines_agency_account", "agency_id", "account"),
)

# Verified provider messages and what they did (forged ones are refused and only logged).
provider_notifications = Table(
    "provider_notifications",
    metadata,
    Column("id", _serial, primary_key=True, autoincrement=True),
    Column("provider", String(20), nullable=False),
    Column("payment_id", String(64), nullable=False, index=True),
    Column("dedupe_key", String(200), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("disposition", String(32), nullable=False),
    Column("received_at", _time, nullable=False),
    Index("ix_provider_notifications_disposition", "disposition", "received_at"),
)
