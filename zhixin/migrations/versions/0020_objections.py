"""grade objections: access code, identity check, append-only log

Revision ID: 0020_objections
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import infra.db

revision: str = "0020_objections"
down_revision: str | None = "0070_archive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grade_objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_code_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("identity_verified_at", infra.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("identity_verified_by", sa.String(length=64), nullable=True))
    op.create_table(
        "objection_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objection_id", sa.Integer(), nullable=False),
        sa.Column("at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["grade_objections.id"],
            name=op.f("fk_objection_events_objection_id_grade_objections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_events")),
    )
    with op.batch_alter_table("objection_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objection_events_objection_id"), ["objection_id"], unique=False
        )
    # like the case log, the objection log is append-only in the database itself
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER objection_events_no_{verb.lower()} BEFORE {verb} "
                "ON objection_events "
                "BEGIN SELECT RAISE(ABORT, 'objection_events is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION objection_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'objection_events is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER objection_events_append_only BEFORE UPDATE OR DELETE "
            "ON objection_events FOR EACH ROW EXECUTE FUNCTION objection_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS objection_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS objection_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS objection_events_append_only ON objection_events")
        op.execute("DROP FUNCTION IF EXISTS objection_events_append_only()")
    with op.batch_alter_table("objection_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_events_objection_id"))
    op.drop_table("objection_events")
    with op.batch_alter_table("grade_objections", schema=None) as batch_op:
        batch_op.drop_column("identity_verified_by")
        batch_op.drop_column("identity_verified_at")
        batch_op.drop_column("access_code_hash")
