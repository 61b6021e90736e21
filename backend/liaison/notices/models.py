"""Notices and briefings (one mechanism: localized content + audience + acknowledgement) and their recipients."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, UUIDPrimaryKey, utcnow
from liaison.sync.versioning import Versioned

KINDS = ("notice", "briefing")
PRIORITIES = ("info", "important", "urgent")


class Notice(UUIDPrimaryKey, Versioned, Base):
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_kind_created", "kind", "created_at"),)

    kind: Mapped[str] = mapped_column(String(10))  # notice | briefing
    priority: Mapped[str] = mapped_column(String(10), default="info")
    requires_ack: Mapped[bool] = mapped_column(default=False)
    # The audience as the coordinator gave it (all / countries / venues + window / officers), for the record;
    # who it reached is in notice_recipients, materialized at send time.
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"de": {"title": "...", "body": "...", "source": "human" | "machine"}, ...}
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recipients: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ack_deadline: Mapped[datetime | None] = mapped_column()
    escalated_at: Mapped[datetime | None] = mapped_column()
    # An update is a new notice that supersedes the original; the original then leaves the officers' lists.
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notices.id"))
    superseded_at: Mapped[datetime | None] = mapped_column()
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notices.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # Set on the notice a delegation lead receives when its people have not acknowledged in time.
    escalation_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notices.id"))
    # Briefings: what they belong to, so an officer finds "today's briefing" beside the shift.
    venue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("venues.id"))
    shift_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shifts.id"))
    on_date: Mapped[date | None] = mapped_column(index=True)


class NoticeRecipient(Base):
    """One person a notice reached; written in bulk at send time so counts and `pending` are exact and cheap."""

    __tablename__ = "notice_recipients"
    __table_args__ = (
        Index("ix_notice_recipients_user_version", "user_id", "version"),
        Index("ix_notice_recipients_notice_ack", "notice_id", "acknowledged_at"),
    )

    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    country_code: Mapped[str | None] = mapped_column(String(2))
    # Where the person works in the notice's window (the targeted venue for venue audiences), for by_venue.
    venue_id: Mapped[uuid.UUID | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    # Sync version of this person's view (sent, acknowledged), stamped from the transaction's version.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
