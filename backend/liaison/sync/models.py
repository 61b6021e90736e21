"""The idempotency record of offline mutations: each client mutation id is applied at most once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, utcnow


class SyncMutation(Base):
    __tablename__ = "sync_mutations"
    __table_args__ = (Index("ix_sync_mutations_client_received", "client_id", "received_at"),)
    # The client's own UUID for the mutation: a retry carries the same one, so it is recognised.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(10))  # applied | rejected
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    # When it happened on the phone (maybe hours ago, offline) vs when the server got it.
    occurred_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
