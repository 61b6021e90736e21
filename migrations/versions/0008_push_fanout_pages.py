"""Push fan-out in pages: a broadcast job remembers the last subscription it has written deliveries for.

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-22 08:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("push_jobs") as batch:
        batch.add_column(sa.Column("fanned_out_to", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("push_jobs") as batch:
        batch.drop_column("fanned_out_to")
