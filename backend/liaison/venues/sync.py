"""Venues in sync: reference data every signed-in person keeps on the phone."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.sync.changes import after_key, in_range
from liaison.sync.registry import PageKey, SyncChange, paged_pull_source
from liaison.venues.models import Venue
from liaison.venues.schemas import venue_out

# Every phone's snapshot carries the same venue page: kept per database engine for the latest few ranges.
# A cached page may be older than the rows (a venue edited since has moved above `upto`): that edit comes
# in the next pass anyway, exactly as if the page had been read a moment earlier.
_PAGES: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[int, int, PageKey | None, int], list[SyncChange]]] = (
    weakref.WeakKeyDictionary()
)


@paged_pull_source("venue")
async def venues_changed(
    session: AsyncSession, principal: Principal, after: int, upto: int, start: PageKey | None, limit: int
) -> list[SyncChange]:
    """The same for everyone, so computed once per range and engine, not once per phone."""
    pages = _PAGES.setdefault(session.bind, OrderedDict())
    key = (after, upto, start, limit)
    page = pages.get(key)
    if page is None:
        page = await _venues(session, after, upto, start, limit)
        pages[key] = page
        while len(pages) > 16:
            pages.popitem(last=False)
    return page


async def _venues(session: AsyncSession, after: int, upto: int, start: PageKey | None, limit: int) -> list[SyncChange]:
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
