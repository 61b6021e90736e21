"""Push deliveries without foreign keys: a fan-out writes 80,000 of them in seconds.

Checking the two foreign keys of each new row (and locking the subscription it points to) was half of
PostgreSQL's work in an 80,000-phone fan-out (0.9 of 1.8 s of CPU, measured), and the index on
subscription_id, there only for ON DELETE SET NULL, a fifth of the rest. A delivery is a record of a
send: one whose subscription is gone now points to no row, which the worker reads exactly as it read NULL
(the push is recorded "gone"); jobs are never deleted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 03:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("push_deliveries") as batch:
        batch.drop_index("ix_push_deliveries_subscription_id")
        batch.drop_constraint("fk_push_deliveries_job_id_push_jobs", type_="foreignkey")
        batch.drop_constraint("fk_push_deliveries_subscription_id_push_subscriptions", type_="foreignkey")


def downgrade() -> None:
    # Rows whose subscription is gone would break the restored key: they get NULL, as ON DELETE SET NULL gave.
    op.execute(
        "UPDATE push_deliveries SET subscription_id = NULL WHERE subscription_id IS NOT NULL AND subscription_id"
        " NOT IN (SELECT id FROM push_subscriptions)"
    )
    with op.batch_alter_table("push_deliveries") as batch:
        batch.create_foreign_key(
            "fk_push_deliveries_job_id_push_jobs", "push_jobs", ["job_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            "fk_push_deliveries_subscription_id_push_subscriptions",
            "push_subscriptions",
            ["subscription_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_push_deliveries_subscription_id", ["subscription_id"], unique=False)
