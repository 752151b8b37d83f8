"""Database tables of the identity service (SQLAlchemy Core). Migrations: ``migrations/versions``."""

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
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

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("province_code", String(4), nullable=False),
    Column("state", String(16), nullable=False),
    Column("allowed_scopes", Text, nullable=False),
    Column("suspend_reason", String(500), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("suspended_at", UtcDateTime),
    Column("resumed_at", UtcDateTime),
    Index("ix_agencies_created", "created_at", "id"),
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("state", String(16), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime),
    Index("ix_clients_agency_created", "agency_id", "created_at", "id"),
)

client_secrets = Table(
    "client_secrets",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("client_id", String(64), nullable=False, index=True),
    Column("hash", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
)

client_keys = Table(
    "client_keys",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("key_id", String(200), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

used_assertions = Table(
    "used_assertions",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("jti", String(200), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("private_key", LargeBinary, nullable=False),  # AES-GCM under the key-encryption key
    Column("created_at", UtcDateTime, nullable=False),
    Column("activated_at", UtcDateTime),
    Column("retired_at", UtcDateTime),
    Column("expires_at", UtcDateTime),
)

citizens = Table(
    "citizens",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("personal_id_index", LargeBinary, nullable=False, unique=True),  # HMAC blind index for lookup
    Column("personal_id", LargeBinary, nullable=False),  # encrypted
    Column("email", LargeBinary),  # encrypted
    Column("phone_number", LargeBinary),  # encrypted
    Column("password_hash", String(200), nullable=False),
    Column("totp_secret", LargeBinary),  # encrypted; confirmed secret
    Column("totp_pending", LargeBinary),  # encrypted; awaiting ConfirmTotp
    Column("totp_last_step", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("password_changed_at", UtcDateTime, nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", LargeBinary, primary_key=True),
    Column("family_id", String(64), nullable=False, index=True),
    Column("account_id", String(64), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
)

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("token_id", String(64), nullable=False, unique=True),
    Column("subject", String(100), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

session_revocations = Table(
    "session_revocations",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("subject", String(100), nullable=False, index=True),
    Column("revoke_before", Float, nullable=False),
    Column("cause", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("next_allowed_at", Float, nullable=False),
    Column("last_failure_at", Float, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("time", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("target", String(200), nullable=False),
    Column("source_ip", String(64), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("request_id", String(128), nullable=False),
    Index("ix_audit_agency_time", "agency_id", "time", "id"),
    Index("ix_audit_time", "time", "id"),
)


#: Idempotency keys of CreateAgency and CreateClient: what a key created, and the new client's secret sealed
#: under the keyring for 24 hours, so that a retry gets the answer the first call had.
create_requests = Table(
    "create_requests",
    metadata,
    Column("caller_agency_id", String(64), primary_key=True),
    Column("operation", String(16), primary_key=True),
    Column("idempotency_key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("secret_sealed", LargeBinary),
    Column("created_at", UtcDateTime, nullable=False),
)
