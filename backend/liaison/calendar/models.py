"""Calendar feed secrets: one per person, rotated to revoke a leaked address."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, utcnow


class CalendarFeed(Base):
    """The secret in a feed URL.

    Kept as given (not hashed) because phones subscribe to the address once and `GET /api/me/calendar` must
    hand back the same address every time, as calendar services do with their "secret address"; it grants
    read access to one person's shifts only, and `DELETE /api/me/calendar` replaces it.
    """

    __tablename__ = "calendar_feeds"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
