"""The push outbox: one row per change that phones must hear about, written in the change's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, BigIntPK, UUIDPrimaryKey, utcnow

DELIVERY_STATUSES = ("pending", "delivered", "failed", "gone")


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
    # A broadcast is fanned out in pages, in subscription id order, each page committed with this mark of
    # the last subscription it covered: sending starts after the first page, and a restart resumes here.
    fanned_out_to: Mapped[uuid.UUID | None] = mapped_column()
    # Set in the transaction that wrote the job's last deliveries: a job is fanned out exactly once.
    expanded_at: Mapped[datetime | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()


class PushSubscription(UUIDPrimaryKey, Base):
    """A browser's PushSubscription: one per signed-in device (a new endpoint from the device replaces the old)."""

    __tablename__ = "push_subscriptions"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), unique=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    # scheme://host[:port] of the endpoint: concurrency and VAPID audience are per push service origin.
    origin: Mapped[str] = mapped_column(String(300))
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PushDelivery(Base):
    """One job for one subscription: the unit a worker sends, retries and reports on.

    No foreign keys (migration 0009): checking them was half the database's work of a fan-out. A delivery
    whose subscription has since been removed points to no row, and is recorded "gone" when it comes up.
    """

    __tablename__ = "push_deliveries"
    __table_args__ = (
        UniqueConstraint("job_id", "subscription_id", name="uq_push_deliveries_job_subscription"),
        Index("ix_push_deliveries_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(BigIntPK)  # push_jobs.id
    # push_subscriptions.id; kept when the subscription is gone, so the report still counts the device.
    subscription_id: Mapped[uuid.UUID | None] = mapped_column()
    # The subscriber's language when the job was fanned out (read from the user row, not the device).
    locale: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker holds a batch until this time; a crashed worker's batch is taken over after it.
    lease_until: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShiftReminder(Base):
    """Marks that an assignment's reminder was queued, so each is sent once whatever the number of workers."""

    __tablename__ = "push_shift_reminders"
    __table_args__ = (UniqueConstraint("assignment_id", "lead_minutes", name="uq_push_shift_reminders_assignment"),)
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    assignment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    lead_minutes: Mapped[int] = mapped_column()
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
