"""Alert level changes (Vigipirate): the real level's history, and drills kept apart from it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, UUIDPrimaryKey, utcnow
from liaison.sync.versioning import Versioned

LEVELS = ("vigilance", "heightened", "emergency")


class AlertChange(UUIDPrimaryKey, Versioned, Base):
    """One change of the alert level. The current real level is the newest row with drill=False;
    a drill (exercise) is a row with drill=True that lasts until `ended_at`, and never moves the real level."""

    __tablename__ = "alert_changes"
    __table_args__ = (Index("ix_alert_changes_drill_changed", "drill", "changed_at"),)

    level: Mapped[str] = mapped_column(String(20))
    drill: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    # {"en": "...", "fr": "..."}: authored per language, chosen with the content fallback chain.
    instructions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
