"""Citizens' uploads for ATTACHMENT components (``dossier_attachments``) and their sealed content
(``dossier_attachment_pieces``).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_attachments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner_key", sa.LargeBinary(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dossier_attachments_owner_key", "dossier_attachments", ["owner_key"])
    op.create_table(
        "dossier_attachment_pieces",
        sa.Column("attachment_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dossier_attachment_pieces")
    op.drop_index("ix_dossier_attachments_owner_key", "dossier_attachments")
    op.drop_table("dossier_attachments")
