"""grade proposals (the enterprise quality archive reads existing tables)

Revision ID: 0070_archive
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import infra.db

revision: str = "0070_archive"
down_revision: str | None = "0040_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grade_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.String(length=3), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("reward_eligible", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_grade", sa.String(length=3), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("grade_id", sa.Integer(), nullable=True),
        sa.Column("created_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["credit_grades.id"],
            name=op.f("fk_grade_proposals_grade_id_credit_grades"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["uscc"],
            ["enterprises.uscc"],
            name=op.f("fk_grade_proposals_uscc_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_proposals")),
        sa.UniqueConstraint("uscc", "year", name="uq_grade_proposals_uscc_year"),
    )
    op.create_index(op.f("ix_grade_proposals_year"), "grade_proposals", ["year"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_grade_proposals_year"), table_name="grade_proposals")
    op.drop_table("grade_proposals")
