"""token expiry and desk session epochs

Revision ID: 0010_confidentiality
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import infra.db

revision: str = "0010_confidentiality"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column("expires_at", infra.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(
            sa.Column("expires_at", infra.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("session_epoch")
        batch.drop_column("expires_at")
