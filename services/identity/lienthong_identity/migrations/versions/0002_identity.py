"""Identity tables: agencies, clients and their secrets and keys, signing keys, citizens, refresh tokens,
revocations, login throttling and the security audit trail.

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
        "agencies",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("province_code", sa.String(4), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("allowed_scopes", sa.Text(), nullable=False),
        sa.Column("suspend_reason", sa.String(500), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("suspended_at", TS),
        sa.Column("resumed_at", TS),
    )
    op.create_index("ix_agencies_created", "agencies", ["created_at", "id"])
    op.create_table(
        "clients",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("disabled_at", TS),
    )
    op.create_index("ix_clients_agency_created", "clients", ["agency_id", "created_at", "id"])
    op.create_table(
        "client_secrets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS),
    )
    op.create_index("ix_client_secrets_client_id", "client_secrets", ["client_id"])
    op.create_table(
        "client_keys",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(200), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "used_assertions",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("jti", sa.String(200), primary_key=True),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_used_assertions_expires_at", "used_assertions", ["expires_at"])
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("activated_at", TS),
        sa.Column("retired_at", TS),
        sa.Column("expires_at", TS),
    )
    op.create_table(
        "citizens",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("personal_id_index", sa.LargeBinary(), nullable=False, unique=True),
        sa.Column("personal_id", sa.LargeBinary(), nullable=False),
        sa.Column("email", sa.LargeBinary()),
        sa.Column("phone_number", sa.LargeBinary()),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary()),
        sa.Column("totp_pending", sa.LargeBinary()),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("password_changed_at", TS, nullable=False),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.LargeBinary(), primary_key=True),
        sa.Column("family_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.Column("revoked_at", TS),
    )
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_index("ix_refresh_tokens_account_id", "refresh_tokens", ["account_id"])
    op.create_table(
        "revoked_tokens",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("token_id", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "session_revocations",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("revoke_before", sa.Float(), nullable=False),
        sa.Column("cause", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_session_revocations_subject", "session_revocations", ["subject"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_allowed_at", sa.Float(), nullable=False),
        sa.Column("last_failure_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("time", TS, nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("source_ip", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
    )
    op.create_index("ix_audit_agency_time", "audit_events", ["agency_id", "time", "id"])
    op.create_index("ix_audit_time", "audit_events", ["time", "id"])


def downgrade() -> None:
    for table in ("audit_events", "login_throttle", "session_revocations", "revoked_tokens", "refresh_tokens",
                  "citizens", "signing_keys", "used_assertions", "client_keys", "client_secrets", "clients",
                  "agencies"):
        op.drop_table(table)
