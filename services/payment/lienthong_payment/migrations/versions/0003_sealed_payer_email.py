"""The payer's e-mail is stored sealed (key id + AES-256-GCM ciphertext) instead of in clear.

Migrations run without the service's keys, so e-mails already stored are dropped, not sealed: payment has no
production data yet, and an e-mail only addresses the receipt of a payment (development databases lose their
receipts' addresses, nothing else). Downgrading brings the clear column back empty.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to drop a column; PostgreSQL alters it in place.
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("payer_email_key_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("payer_email_sealed", sa.LargeBinary(), nullable=True))
        batch.drop_column("payer_email")


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("payer_email", sa.String(254), nullable=False, server_default=""))
    with op.batch_alter_table("payments") as batch:
        batch.alter_column("payer_email", server_default=None)
        batch.drop_column("payer_email_sealed")
        batch.drop_column("payer_email_key_id")
