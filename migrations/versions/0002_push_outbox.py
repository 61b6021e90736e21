"""The push outbox: jobs written in the same transaction as the change they announce.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:25:49.421526
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import liaison.database

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.String(length=64), nullable=False),
        sa.Column(
            "user_ids", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column(
            "params", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=True),
        sa.Column("ttl", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_jobs")),
    )
    with op.batch_alter_table("push_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_push_jobs_pending", ["done_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("push_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_push_jobs_pending")

    op.drop_table("push_jobs")
