"""Database tables of the registry service.

Nothing here holds a name, date of birth, address or personal ID in clear: records are AES-GCM ciphertext
(``key_id`` names the key) and lookups go through keyed blind indexes (HMAC-SHA256). Times are microseconds
since the Unix epoch (UTC), identical on SQLite and PostgreSQL, which the access-log hash relies on.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

from lienthong_runtime.events import outbox_table, processed_events_table

metadata = MetaData()
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

citizens = Table(
    "citizens",
    metadata,
    Column("pid_index", LargeBinary(32), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("record", LargeBinary, nullable=False),
    Column("search_index", LargeBinary(32), nullable=False),
    Column("search_province_index", LargeBinary(32), nullable=False),
    Column("household_index", LargeBinary(32), nullable=True),
    Column("household_rank", SmallInteger, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_citizens_search", "search_index", "pid_index"),
    Index("ix_citizens_household", "household_index", "household_rank", "pid_index"),
)

citizen_versions = Table(
    "citizen_versions",
    metadata,
    Column("pid_index", LargeBinary(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("created_us", BigInteger, nullable=False),
    Column("actor_agency_id", String(100), nullable=False),
    Column("actor_client_id", String(200), nullable=False),
    Column("changed_fields", Text, nullable=False),
    Column("key_id", String(32), nullable=False),
    #: Ciphertext of {"record": ..., "legal_reason": ...}.
    Column("sealed", LargeBinary, nullable=False),
)

#: CreateCitizen's idempotency keys: a keyed digest of the request and the record's blind index, per agency.
citizen_create_keys = Table(
    "citizen_create_keys",
    metadata,
    Column("agency_id", String(100), primary_key=True),
    Column("idempotency_key", String(255), primary_key=True),
    Column("fingerprint", LargeBinary(32), nullable=False),
    Column("pid_index", LargeBinary(32), nullable=False),
    Column("created_us", BigInteger, nullable=False),
)

disclosure_policies = Table(
    "disclosure_policies",
    metadata,
    Column("agency_id", String(100), primary_key=True),
    Column("purpose", String(100), primary_key=True),
    Column("fields", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
)

access_log = Table(
    "access_log",
    metadata,
    Column("sequence", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("id", String(36), nullable=False, unique=True),
    Column("time_us", BigInteger, nullable=False),
    Column("agency_id", String(100), nullable=False),
    Column("agency_name", String(200), nullable=False),
    Column("client_id", String(200), nullable=False),
    Column("action", SmallInteger, nullable=False),
    Column("purpose", String(100), nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("fields", Text, nullable=False),
    Column("subject", String(64), nullable=False),
    Column("sealed_personal_id", Text, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Index("ix_access_log_subject", "subject", "sequence"),
    Index("ix_access_log_agency", "agency_id", "sequence"),
)
# On PostgreSQL ``access_log`` is partitioned by month of ``time_us`` (migration 0004), so its primary key is
# ``(sequence, time_us)``: the uniqueness of a sequence across months is kept by the chain's head below.

#: The chain's tail, one row (id 1). Every append moves it in the same statement or transaction as its insert,
#: on the condition that it still holds the tail the entries were chained after (compare and set): of two
#: writers chained after the same tail, the second moves nothing and inserts nothing.
access_log_head = Table(
    "access_log_head",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("sequence", BigInteger, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("time_us", BigInteger, nullable=False),
)

#: The anchors of detached (and archived) months of the access log: the chain that remains is verified from
#: the last archived hash. Rows are written just before the month is detached.
access_log_archives = Table(
    "access_log_archives",
    metadata,
    Column("partition", String(100), primary_key=True),
    Column("first_sequence", BigInteger, nullable=False),
    Column("last_sequence", BigInteger, nullable=False),
    Column("first_previous_hash", String(64), nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("entries", BigInteger, nullable=False),
    Column("detached_us", BigInteger, nullable=False),
)
