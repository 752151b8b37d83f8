"""Citizen records (encrypted), their versions, disclosure policies and the hash-chained access log.

On PostgreSQL, triggers make ``citizen_versions`` and ``access_log`` append-only (no UPDATE, no DELETE) and
forbid deleting citizens: history is never rewritten through the application's database role.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("pid_index", sa.LargeBinary(32), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("search_index", sa.LargeBinary(32), nullable=False),
        sa.Column("search_province_index", sa.LargeBinary(32), nullable=False),
        sa.Column("household_index", sa.LargeBinary(32), nullable=True),
        sa.Column("household_rank", sa.SmallInteger(), nullable=False),
        sa.Column("created_us", BIG, nullable=False),
        sa.Column("updated_us", BIG, nullable=False),
    )
    op.create_index("ix_citizens_search", "citizens", ["search_index", "pid_index"])
    op.create_index("ix_citizens_household", "citizens", ["household_index", "household_rank", "pid_index"])
    op.create_table(
        "citizen_versions",
        sa.Column("pid_index", sa.LargeBinary(32), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("created_us", BIG, nullable=False),
        sa.Column("actor_agency_id", sa.String(100), nullable=False),
        sa.Column("actor_client_id", sa.String(200), nullable=False),
        sa.Column("changed_fields", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "disclosure_policies",
        sa.Column("agency_id", sa.String(100), primary_key=True),
        sa.Column("purpose", sa.String(100), primary_key=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("created_us", BIG, nullable=False),
        sa.Column("updated_us", BIG, nullable=False),
    )
    op.create_table(
        "access_log",
        sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("time_us", BIG, nullable=False),
        sa.Column("agency_id", sa.String(100), nullable=False),
        sa.Column("agency_name", sa.String(200), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("action", sa.SmallInteger(), nullable=False),
        sa.Column("purpose", sa.String(100), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("sealed_personal_id", sa.Text(), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_access_log_subject", "access_log", ["subject", "sequence"])
    op.create_index("ix_access_log_agency", "access_log", ["agency_id", "sequence"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION registry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute("CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
                   "FOR EACH ROW EXECUTE FUNCTION registry_append_only()")
        op.execute("CREATE TRIGGER citizen_versions_append_only BEFORE UPDATE OR DELETE ON citizen_versions "
                   "FOR EACH ROW EXECUTE FUNCTION registry_append_only()")
        op.execute("CREATE TRIGGER citizens_no_delete BEFORE DELETE ON citizens "
                   "FOR EACH ROW EXECUTE FUNCTION registry_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER citizens_no_delete ON citizens")
        op.execute("DROP TRIGGER citizen_versions_append_only ON citizen_versions")
        op.execute("DROP TRIGGER access_log_append_only ON access_log")
        op.execute("DROP FUNCTION registry_append_only()")
    op.drop_table("access_log")
    op.drop_table("disclosure_policies")
    op.drop_table("citizen_versions")
    op.drop_table("citizens")
