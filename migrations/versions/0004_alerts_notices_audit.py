"""Alert level changes (with drills), notices and briefings with their recipients, and the audit log.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-21 23:31:02.361487
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import liaison.database

revision: str = "0004"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_changes",
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "instructions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.Column("changed_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name=op.f("fk_alert_changes_changed_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["users.id"], name=op.f("fk_alert_changes_ended_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_changes")),
    )
    with op.batch_alter_table("alert_changes", schema=None) as batch_op:
        batch_op.create_index("ix_alert_changes_drill_changed", ["drill", "changed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_changes_version"), ["version"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=220), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_action_at", ["action", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "notices",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("requires_ack", sa.Boolean(), nullable=False),
        sa.Column(
            "audience", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "content", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ack_deadline", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("superseded_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("superseded_by_id", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("escalation_of_id", sa.Uuid(), nullable=True),
        sa.Column("venue_id", sa.Uuid(), nullable=True),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["users.id"], name=op.f("fk_notices_cancelled_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_notices_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["escalation_of_id"], ["notices.id"], name=op.f("fk_notices_escalation_of_id_notices")),
        sa.ForeignKeyConstraint(["shift_id"], ["shifts.id"], name=op.f("fk_notices_shift_id_shifts")),
        sa.ForeignKeyConstraint(["superseded_by_id"], ["notices.id"], name=op.f("fk_notices_superseded_by_id_notices")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["notices.id"], name=op.f("fk_notices_supersedes_id_notices")),
        sa.ForeignKeyConstraint(["venue_id"], ["venues.id"], name=op.f("fk_notices_venue_id_venues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_kind_created", ["kind", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_on_date"), ["on_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_version"), ["version"], unique=False)

    op.create_table(
        "notice_recipients",
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("venue_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_recipients_notice_id_notices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notice_recipients_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("notice_id", "user_id", name=op.f("pk_notice_recipients")),
    )
    with op.batch_alter_table("notice_recipients", schema=None) as batch_op:
        batch_op.create_index("ix_notice_recipients_notice_ack", ["notice_id", "acknowledged_at"], unique=False)
        batch_op.create_index("ix_notice_recipients_user_version", ["user_id", "version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice_recipients", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_recipients_user_version")
        batch_op.drop_index("ix_notice_recipients_notice_ack")

    op.drop_table("notice_recipients")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_version"))
        batch_op.drop_index(batch_op.f("ix_notices_on_date"))
        batch_op.drop_index("ix_notices_kind_created")

    op.drop_table("notices")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_target")
        batch_op.drop_index("ix_audit_log_at")
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))
        batch_op.drop_index("ix_audit_log_action_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("alert_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_changes_version"))
        batch_op.drop_index("ix_alert_changes_drill_changed")

    op.drop_table("alert_changes")
