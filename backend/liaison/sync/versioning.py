"""What every row a phone may sync carries, and the clock that stamps it.

Each transaction that changes a syncable row takes the next value of one global counter (`sync_clock`)
and stamps every row it touches with it. Taking the value is an UPDATE of a single row, whose lock is
held until commit: two writers can therefore never commit out of version order, so a reader that has seen
version N has seen everything up to N. Deletes are soft (`deleted_at`) so they sync as tombstones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, event, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from liaison.database import Base, BigIntPK, utcnow

_VERSION_KEY = "liaison.sync_version"


class SyncClock(Base):
    """A single row: the last version handed out."""

    __tablename__ = "sync_clock"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Versioned:
    """Mixin for syncable rows: a version for pulls and a soft-delete mark for tombstones."""

    version: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    def soft_delete(self) -> None:
        self.deleted_at = utcnow()


class Tombstone(Base):
    """A row a person could see and no longer may (unassigned, left an audience): synced as a delete to them."""

    __tablename__ = "sync_tombstones"
    __table_args__ = (Index("ix_sync_tombstones_user_version", "user_id", "version"),)
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _allocate(sync_session: Session) -> int:
    version = sync_session.info.get(_VERSION_KEY)
    if version is None:
        conn = sync_session.connection()
        version = conn.execute(
            update(SyncClock).where(SyncClock.id == 1).values(value=SyncClock.value + 1).returning(SyncClock.value)
        ).scalar_one()
        sync_session.info[_VERSION_KEY] = version
    return version


async def transaction_version(session: AsyncSession) -> int:
    """The version of the current transaction, for bulk Core writes that bypass the ORM."""
    return await session.run_sync(_allocate)


def current_version_sql() -> Any:
    return text("SELECT value FROM sync_clock WHERE id = 1")


@event.listens_for(Session, "before_flush")
def _stamp_versions(session: Session, _ctx: Any, _instances: Any) -> None:
    touched = [o for o in (*session.new, *session.dirty) if isinstance(o, Versioned)]
    if not touched:
        return
    touched = [o for o in touched if o in session.new or session.is_modified(o)]
    if not touched:
        return
    version = _allocate(session)
    for obj in touched:
        obj.version = version


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    version = session.info.pop(_VERSION_KEY, None)
    if version is not None:
        session.info["liaison.committed_version"] = version
        for listener in COMMIT_LISTENERS:
            listener(session, version)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    # Also runs when a savepoint rolls back, which may have undone the clock UPDATE: forgetting the version
    # makes the next flush take a fresh one (still inside this transaction's lock, so still in order)
    # instead of stamping rows with a version the clock would never commit.
    session.info.pop(_VERSION_KEY, None)


# Called with (session, version) after a transaction that took a version commits (the sync index, live events).
COMMIT_LISTENERS: list[Callable[[Session, int], None]] = []
