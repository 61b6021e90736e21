"""Reminders before a shift starts: one push per assignment, queued once whatever the number of workers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.database import utcnow
from liaison.push.models import ShiftReminder
from liaison.push.outbox import enqueue_push
from liaison.shifts.models import Assignment, Shift

PER_RUN = 2000


async def schedule_reminders(sessionmaker: async_sessionmaker[AsyncSession], lead_minutes: int) -> int:
    """Queues a reminder for every live assignment whose shift starts within `lead_minutes`; returns how many."""
    now = utcnow()
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(Assignment.id, Assignment.user_id, Shift.starts_at)
                .join(Shift, Shift.id == Assignment.shift_id)
                .outerjoin(
                    ShiftReminder,
                    and_(ShiftReminder.assignment_id == Assignment.id, ShiftReminder.lead_minutes == lead_minutes),
                )
                .where(
                    ShiftReminder.id.is_(None),
                    Assignment.deleted_at.is_(None),
                    Assignment.status == "assigned",
                    Shift.deleted_at.is_(None),
                    Shift.starts_at > now,
                    Shift.starts_at <= now + timedelta(minutes=lead_minutes),
                )
                .limit(PER_RUN)
            )
        ).all()
        if not rows:
            return 0
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # The unique marker decides: another worker that got here first makes this insert a no-op.
        marked = set(
            (
                await session.scalars(
                    insert(ShiftReminder)
                    .values([{"assignment_id": r.id, "lead_minutes": lead_minutes, "queued_at": now} for r in rows])
                    .on_conflict_do_nothing(index_elements=["assignment_id", "lead_minutes"])
                    .returning(ShiftReminder.assignment_id)
                )
            ).all()
        )
        for row in rows:
            if row.id in marked:
                # Worth nothing once the shift has begun: the push service may drop it after that.
                ttl = max(60, int((row.starts_at - now).total_seconds()))
                enqueue_push(session, kind="reminder", ref_id=row.id, user_ids=[row.user_id], ttl=ttl)
        await session.commit()
        return len(marked)
