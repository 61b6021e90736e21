"""The pull: everything the caller may see that changed after its cursor, one bounded page at a time.

A pass covers the versions (after, upto], where `upto` is the committed clock read when the pass starts.
Taking a version locks the clock row until commit, so every version <= a committed clock value belongs to
a finished transaction: nothing below `upto` can still appear later, and the next pass starts at `upto`
without skipping anything. A row changed again during a pass moves above `upto` and comes in the next pass.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.sync.cursor import Cursor, decode, encode, scope_of
from liaison.sync.registry import PAGED_PULL_SOURCES, PULL_SOURCES, PageKey, SyncChange, page_of
from liaison.sync.schemas import PullOut
from liaison.sync.shared import remember_committed
from liaison.sync.versioning import current_version_sql

PAGE_SIZE = 1000


def entities() -> list[str]:
    """A fixed order, so a paged pass resumes where it was on any worker."""
    return sorted({*PULL_SOURCES, *PAGED_PULL_SOURCES})


async def read_clock(session: AsyncSession) -> int:
    value = int((await session.execute(current_version_sql())).scalar_one_or_none() or 0)
    remember_committed(session, value)
    return value


async def changes_of(
    session: AsyncSession,
    principal: Principal,
    entity: str,
    after: int,
    upto: int,
    start: PageKey | None,
    limit: int,
) -> list[SyncChange]:
    paged = PAGED_PULL_SOURCES.get(entity)
    if paged is not None:
        return await paged(session, principal, after, upto, start, limit)
    return page_of(await PULL_SOURCES[entity](session, principal, after, upto), start, limit)


async def pull(
    session: AsyncSession, principal: Principal, cursor_text: str | None, limit: int = PAGE_SIZE
) -> tuple[PullOut, int]:
    """The next page for the caller, and the committed clock it was read at."""
    scope = scope_of(principal)
    clock = await read_clock(session)
    cursor = decode(cursor_text) if cursor_text else Cursor(scope, 0)
    reset = False
    if cursor.scope != scope or cursor.after > clock or (cursor.upto or 0) > clock:
        # Another account's cursor, or one from a database rebuilt since: start again from a snapshot.
        cursor, reset = Cursor(scope, 0), True
    fresh_pass = cursor.complete
    if cursor.complete:
        if cursor.after == clock:
            return PullOut(cursor=encode(cursor), changes=[], more=False, reset=reset), clock
        cursor = Cursor(scope, cursor.after, upto=clock)
    after, upto = cursor.after, cursor.upto or 0
    order = entities()
    position = order.index(cursor.entity) if cursor.entity in order else 0
    start = cursor.key if cursor.entity in order else None
    page: list[SyncChange] = []
    for entity in order[position:]:
        room = limit - len(page)
        found = await changes_of(session, principal, entity, after, upto, start, room)
        start = None
        # A snapshot has nothing to delete on the device.
        page.extend(c for c in found if c.op == "upsert" or after > 0)
        if len(found) >= room:
            last = found[-1]
            mid = Cursor(scope, after, upto=upto, entity=entity, key_version=last.version, key_id=last.id)
            return PullOut(cursor=encode(mid), changes=page, more=True, reset=reset), clock
    if not page and after > 0 and fresh_pass:
        # Nothing for this caller: keep its cursor (and so its ETag), so that its next poll can be a 304.
        return PullOut(cursor=encode(Cursor(scope, after)), changes=[], more=False, reset=reset), clock
    return PullOut(cursor=encode(Cursor(scope, upto)), changes=page, more=False, reset=reset), clock


async def has_changes(session: AsyncSession, principal: Principal, after: int, upto: int) -> bool:
    """Whether anything the caller may see changed in (after, upto]: one row per source at most."""
    if upto <= after:
        return False
    for entity in entities():
        if await changes_of(session, principal, entity, after, upto, None, 1):
            return True
    return False
