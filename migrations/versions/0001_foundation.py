"""Foundation: people, devices, venues, shifts, assignments and the sync clock.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 23:15:45.807528
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import liaison.database

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "countries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column(
            "languages", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_countries")),
    )
    op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_clock")),
    )
    # The clock's one row: every syncable write takes its version from here.
    op.execute("INSERT INTO sync_clock (id, value) VALUES (1, 0)")
    op.create_table(
        "sync_tombstones",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_tombstones")),
    )
    with op.batch_alter_table("sync_tombstones", schema=None) as batch_op:
        batch_op.create_index("ix_sync_tombstones_user_version", ["user_id", "version"], unique=False)

    op.create_table(
        "venues",
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=250), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("meeting_point", sa.String(length=250), nullable=False),
        sa.Column(
            "sports", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "languages", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venues")),
        sa.UniqueConstraint("slug", name=op.f("uq_venues_slug")),
    )
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venues_version"), ["version"], unique=False)

    op.create_table(
        "shifts",
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column(
            "languages", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["venue_id"], ["venues.id"], name=op.f("fk_shifts_venue_id_venues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index("ix_shifts_venue_starts", ["venue_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_shifts_version"), ["version"], unique=False)

    op.create_table(
        "users",
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column(
            "languages", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("rank", sa.String(length=80), nullable=True),
        sa.Column("accreditation_id", sa.String(length=40), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("arrival", sa.Date(), nullable=True),
        sa.Column("departure", sa.Date(), nullable=True),
        sa.Column("arrived_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["country_code"], ["countries.code"], name=op.f("fk_users_country_code_countries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("accreditation_id", name=op.f("uq_users_accreditation_id")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_country_role", ["country_code", "role"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_version"), ["version"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("checked_in_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["users.id"], name=op.f("fk_assignments_assigned_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["shift_id"], ["shifts.id"], name=op.f("fk_assignments_shift_id_shifts")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_assignments_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_shift_id"), ["shift_id"], unique=False)
        batch_op.create_index("ix_assignments_user_version", ["user_id", "version"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_version"), ["version"], unique=False)
        batch_op.create_index(
            "uq_assignments_live",
            ["shift_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "devices",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["users.id"], name=op.f("fk_devices_revoked_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_devices_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "enrollment_codes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", liaison.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_enrollment_codes_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_enrollment_codes_device_id_devices"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_enrollment_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_enrollment_codes_code_hash")),
    )
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_codes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_codes_user_id"))

    op.drop_table("enrollment_codes")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_user_id"))

    op.drop_table("devices")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assignments_live",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_assignments_version"))
        batch_op.drop_index("ix_assignments_user_version")
        batch_op.drop_index(batch_op.f("ix_assignments_shift_id"))

    op.drop_table("assignments")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_version"))
        batch_op.drop_index("ix_users_country_role")

    op.drop_table("users")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shifts_version"))
        batch_op.drop_index("ix_shifts_venue_starts")
        batch_op.drop_index(batch_op.f("ix_shifts_starts_at"))

    op.drop_table("shifts")
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venues_version"))

    op.drop_table("venues")
    with op.batch_alter_table("sync_tombstones", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_tombstones_user_version")

    op.drop_table("sync_tombstones")
    op.drop_table("sync_clock")
    op.drop_table("countries")
