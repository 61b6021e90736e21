"""Shifts at venues and the officers assigned to them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, UUIDPrimaryKey, utcnow
from liaison.sync.versioning import Versioned

ASSIGNMENT_STATUSES = ("assigned", "checked_in", "checked_out")


class Shift(UUIDPrimaryKey, Versioned, Base):
    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_venue_starts", "venue_id", "starts_at"),)
    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    task: Mapped[str] = mapped_column(String(200))
    headcount: Mapped[int] = mapped_column(default=1)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    languages: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Assignment(UUIDPrimaryKey, Versioned, Base):
    __tablename__ = "assignments"
    __table_args__ = (
        # One live assignment per officer and shift; removed ones stay as tombstones.
        Index(
            "uq_assignments_live",
            "shift_id",
            "user_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_assignments_user_version", "user_id", "version"),
        # Covering index for coverage on SQLite (whose partial index above still needs the row for deleted_at).
        Index("ix_assignments_shift_cover", "shift_id", "user_id", "deleted_at"),
        # An officer's live shifts, for the overlap and rest-time checks of every assignment.
        Index(
            "ix_assignments_user_live",
            "user_id",
            "shift_id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shifts.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default="assigned")
    checked_in_at: Mapped[datetime | None] = mapped_column()
    checked_out_at: Mapped[datetime | None] = mapped_column()
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
