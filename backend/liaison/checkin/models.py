"""Check-ins at the accreditation desk and revoked accreditations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, UUIDPrimaryKey, utcnow
from liaison.sync.versioning import Versioned

OUTCOMES = ("checked_in", "already_checked_in")


class Checkin(UUIDPrimaryKey, Versioned, Base):
    """One scan at a desk. Exactly one row per officer counts (outcome checked_in); repeats are kept too,
    because a repeat from another offline desk is a conflict a coordinator reviews."""

    __tablename__ = "checkins"
    __table_args__ = (
        # The guarantee behind "never counted twice", whatever races the application code loses.
        Index(
            "uq_checkins_counted",
            "officer_id",
            unique=True,
            sqlite_where=text("outcome = 'checked_in'"),
            postgresql_where=text("outcome = 'checked_in'"),
        ),
        Index("ix_checkins_conflicts", "conflict", "received_at"),
    )
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    accreditation_id: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(16))  # token (QR scanned) | accreditation_id (typed)
    source: Mapped[str] = mapped_column(String(8))  # online | offline (replayed by sync)
    desk_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The desk's device (its sign-in), not a foreign key: devices may be purged, the record stays.
    device_id: Mapped[uuid.UUID | None] = mapped_column()
    key_id: Mapped[str | None] = mapped_column(String(64))
    mutation_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For a repeat: the counted check-in it repeats.
    first_checkin_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    conflict: Mapped[bool] = mapped_column(default=False)
    reviewed_at: Mapped[datetime | None] = mapped_column()
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AccreditationRevocation(UUIDPrimaryKey, Base):
    """The current revocation of one accreditation.

    `lost`: tokens issued before it (generation below `generation`) are refused; the officer's phone fetches
    a new one. `withdrawn`: every token of this accreditation is refused and no new one is issued.
    """

    __tablename__ = "accreditation_revocations"
    accreditation_id: Mapped[str] = mapped_column(String(40), unique=True)
    officer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(12))
    generation: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
