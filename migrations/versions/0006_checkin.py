"""Accreditation check-in: desk scans (one counted per officer) and revoked accreditations.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-21 23:30:34.623380
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.database

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accreditation_revocations",
        sa.Column("accreditation_id", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=12), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("revoked_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
            name=op.f("fk_accreditation_revocations_officer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"],
            ["users.id"],
            name=op.f("fk_accreditation_revocations_revoked_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_revocations")),
        sa.UniqueConstraint("accreditation_id", name=op.f("uq_accreditation_revocations_accreditation_id")),
    )
    op.create_table(
        "checkins",
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("accreditation_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("desk_user_id", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=True),
        sa.Column("mutation_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_checkin_id", sa.Uuid(), nullable=True),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("reviewed_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["desk_user_id"], ["users.id"], name=op.f("fk_checkins_desk_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["first_checkin_id"],
            ["checkins.id"],
            name=op.f("fk_checkins_first_checkin_id_checkins"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_checkins_officer_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_checkins_reviewed_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index("ix_checkins_conflicts", ["conflict", "received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_version"), ["version"], unique=False)
        batch_op.create_index(
            "uq_checkins_counted",
            ["officer_id"],
            unique=True,
            sqlite_where=sa.text("outcome = 'checked_in'"),
            postgresql_where=sa.text("outcome = 'checked_in'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_checkins_counted",
            sqlite_where=sa.text("outcome = 'checked_in'"),
            postgresql_where=sa.text("outcome = 'checked_in'"),
        )
        batch_op.drop_index(batch_op.f("ix_checkins_version"))
        batch_op.drop_index(batch_op.f("ix_checkins_officer_id"))
        batch_op.drop_index("ix_checkins_conflicts")

    op.drop_table("checkins")
    op.drop_table("accreditation_revocations")
