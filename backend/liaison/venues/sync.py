"""Venues in sync: reference data every signed-in person keeps on the phone."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.sync.changes import after_key, in_range
from liaison.sync.registry import PageKey, SyncChange, paged_pull_source, snapshot_source
from liaison.sync.shared import shared_answer
from liaison.venues.models import Venue
from liaison.venues.schemas import venue_out


@paged_pull_source("venue")
async def venues_changed(
    session: AsyncSession, principal: Principal, after: int, upto: int, start: PageKey | None, limit: int
) -> list[SyncChange]:
    """The same for everyone: read and encoded once per range, not once per phone (see sync/shared.py)."""
    return await shared_answer(
        session, ("venue", after, upto, start, limit), upto, lambda: _venues(session, after, upto, start, limit)
    )


@snapshot_source("venue")
async def venue_snapshots(session: AsyncSession, principals: Sequence[Principal], upto: int) -> list[list[SyncChange]]:
    """Every venue, the same list for every officer of the batch (read once: see sync/shared.py)."""
    venues = await shared_answer(session, ("venue", 0, upto), upto, lambda: _venues(session, 0, upto, None, None))
    return [venues for _ in principals]


async def _venues(
    session: AsyncSession, after: int, upto: int, start: PageKey | None, limit: int | None
) -> list[SyncChange]:
    query = select(Venue).where(in_range(Venue.version, after, upto), after_key(Venue.version, Venue.id, start))
    if after == 0:
        query = query.where(Venue.deleted_at.is_(None))
    rows = await session.execute(query.order_by(Venue.version, Venue.id).limit(limit))
    changes = []
    for venue in rows.scalars():
        if venue.deleted_at is not None:
            changes.append(SyncChange(entity="venue", id=str(venue.id), op="delete", data=None, version=venue.version))
        else:
            data = msgspec.structs.asdict(venue_out(venue))
            changes.append(SyncChange(entity="venue", id=str(venue.id), op="upsert", data=data, version=venue.version))
    return changes
