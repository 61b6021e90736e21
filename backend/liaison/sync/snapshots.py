"""Officers' first pulls, many at once: what a mass reconnect is made of.

When the network comes back over a stadium, or the server restarts, thousands of phones pull from scratch
together. One by one, each would pay for a session, a clock read and a query per source; gathered
(coalesce.py), one session, one clock read and one query per source serve a few hundred of them: a domain
registers a *snapshot source* answering for many officers (registry.py), and a source without one is asked
officer by officer in the same session (cheap when its answer is shared, like venues and the alert level).

Only officers' first pulls go this way: an officer's world is bounded (its own shifts and notices), while
delegation leads and staff page through larger scopes the usual way. The answer is the one `pull()` gives:
the same changes in the same order, the first page of them, and a cursor from which later pages continue the
usual way.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.auth.principal import Principal
from liaison.coalesce import Coalescer
from liaison.sync.cursor import Cursor, encode, scope_of
from liaison.sync.pull import changes_of, entities, read_clock
from liaison.sync.registry import SNAPSHOT_SOURCES, SyncChange
from liaison.sync.schemas import PullOut

BATCH = 200  # officers per batch: a few tens of milliseconds of work, so no phone waits long behind others
_EVERYTHING = 1_000_000  # "no limit" for sources asked one officer at a time: an officer's scope is bounded

Snapshot = tuple[list[SyncChange], int]  # every change of a first pull, and the clock it was read at


def takes(principal: Principal, cursor: str | None) -> bool:
    """Whether this pull is an officer's first one, served in batches."""
    return cursor is None and principal.role == "officer"


async def snapshots(session: AsyncSession, principals: Sequence[Principal], upto: int) -> list[list[SyncChange]]:
    """Every change each officer's first pull holds (in the order of `principals`): by entity in pull order,
    each entity in (version, id) order."""
    found: list[list[SyncChange]] = [[] for _ in principals]
    if upto == 0:
        return found  # nothing was ever written: a first pull is empty
    for entity in entities():
        many = SNAPSHOT_SOURCES.get(entity)
        if many is not None:
            for mine, changes in zip(found, await many(session, principals, upto), strict=True):
                mine.extend(changes)
            continue
        for mine, principal in zip(found, principals, strict=True):
            changes = await changes_of(session, principal, entity, 0, upto, None, _EVERYTHING)
            # A snapshot has nothing to delete on the device.
            mine.extend(c for c in changes if c.op == "upsert")
    return found


def first_page(principal: Principal, snapshot: Snapshot, limit: int) -> PullOut:
    """The first `limit` changes, and the cursor `pull()` would have given after them."""
    changes, clock = snapshot
    scope = scope_of(principal)
    if len(changes) <= limit:
        return PullOut(cursor=encode(Cursor(scope, clock)), changes=changes, more=False, reset=False)
    page, last = changes[:limit], changes[limit - 1]
    mid = Cursor(scope, 0, upto=clock, entity=last.entity, key_version=last.version, key_id=last.id)
    return PullOut(cursor=encode(mid), changes=page, more=True, reset=False)


class FirstPulls:
    """Officers' first pulls in batches: `await page(principal, limit)` → (PullOut, clock)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """`sessionmaker`: bound to an AUTOCOMMIT engine, as pulls are (each statement bounds itself by version)."""
        self._sessionmaker = sessionmaker
        self._batches: Coalescer[Principal, Snapshot] = Coalescer(self._load, max_batch=BATCH)

    async def page(self, principal: Principal, limit: int) -> tuple[PullOut, int]:
        snapshot = await self._batches.get(principal)
        return first_page(principal, snapshot, limit), snapshot[1]

    async def _load(self, principals: Sequence[Principal]) -> dict[Principal, Snapshot]:
        async with self._sessionmaker() as session:
            clock = await read_clock(session)
            found = await snapshots(session, principals, clock)
        return {p: (changes, clock) for p, changes in zip(principals, found, strict=True)}
