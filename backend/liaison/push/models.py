"""The push outbox: one row per change that phones must hear about, written in the change's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, BigIntPK, utcnow


class PushJob(Base):
    __tablename__ = "push_jobs"
    __table_args__ = (Index("ix_push_jobs_pending", "done_at", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    # alert_level | assignment | notice | briefing | reminder — picks the renderer (push/messages.py)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[str] = mapped_column(String(64))
    # None: every subscribed device; else these users' devices.
    user_ids: Mapped[list[str] | None] = mapped_column(default=None)
    # What the renderer needs beyond the referenced row (e.g. an assignment's old → new values).
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    topic: Mapped[str | None] = mapped_column(String(32))
    ttl: Mapped[int] = mapped_column(default=86400)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()
