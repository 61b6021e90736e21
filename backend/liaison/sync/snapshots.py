"""Officers' first pulls, many at once: what a mass reconnect is made of.

When the network comes back over a stadium, or the server restarts, thousands of phones pull from scratch
together. One by one, each would pay for a session, a clock read and a query per source; gathered
(coalesce.py), one session, one clock read and one query per source serve a few hundred of them: a domain
registers a *snapshot source* answering for many officers (registry.py), and a source without one is asked
officer by officer in the same session (cheap when its answer is shared, like venues and the alert level).

Officers' and delegation leads' first pulls go this way: their worlds are bounded (their own shifts and
notices; a lead's contingent). Staff consoles, which sync neither assignments nor people, pull the usual way.
The answer is the one `pull()` gives: the same changes in the same order, the first page of them, and a cursor
from which later pages continue. A first pull longer than a page (a lead's contingent) is kept in memory while
its phone pages through it (`next_page`), so a page costs no query; a page this process no longer holds (or
never did: another worker served the first) is read the usual way, with the same result.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.auth.principal import Principal
from liaison.coalesce import Coalescer
from liaison.errors import Invalid
from liaison.sync.cursor import Cursor, decode, encode, scope_of
from liaison.sync.pull import changes_of, entities, read_clock
from liaison.sync.registry import SNAPSHOT_SOURCES, SyncChange
from liaison.sync.schemas import PullOut

BATCH = 200  # callers per batch: a few tens of milliseconds of work, so no phone waits long behind others
_EVERYTHING = 1_000_000  # "no limit" for sources asked one caller at a time: these scopes are bounded
KEPT_CHANGES = 200_000  # first pulls kept for their later pages, in changes (about ten leads of 80,000 officers)
BATCHED_ROLES = frozenset({"officer", "delegation_lead"})

Snapshot = tuple[list[SyncChange], int]  # every change of a first pull, and the clock it was read at


def takes(principal: Principal, cursor: str | None) -> bool:
    """Whether this pull is a first one served in batches."""
    return cursor is None and principal.role in BATCHED_ROLES


async def snapshots(session: AsyncSession, principals: Sequence[Principal], upto: int) -> list[list[SyncChange]]:
    """Every change each caller's first pull holds (in the order of `principals`): by entity in pull order,
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


def snapshot_page(principal: Principal, snapshot: Snapshot, limit: int, start: int = 0) -> PullOut:
    """`limit` changes from `start`, and the cursor `pull()` would have given after them."""
    changes, clock = snapshot
    scope = scope_of(principal)
    if len(changes) - start <= limit:
        page = changes[start:] if start else changes
        return PullOut(cursor=encode(Cursor(scope, clock)), changes=page, more=False, reset=False)
    page, last = changes[start : start + limit], changes[start + limit - 1]
    mid = Cursor(scope, 0, upto=clock, entity=last.entity, key_version=last.version, key_id=last.id)
    return PullOut(cursor=encode(mid), changes=page, more=True, reset=False)


class _Kept:
    """First pulls longer than a page, by (scope, clock), until their last page is served or room runs out."""

    def __init__(self, max_changes: int) -> None:
        self.max_changes = max_changes
        self._passes: OrderedDict[tuple[str, int], tuple[list[SyncChange], list[tuple[int, int, str]]]] = OrderedDict()
        self._size = 0
        self._rank: dict[str, int] = {}

    def keep(self, scope: str, snapshot: Snapshot) -> None:
        changes, clock = snapshot
        if (scope, clock) in self._passes or len(changes) > self.max_changes:
            return
        rank = {entity: i for i, entity in enumerate(entities())}
        keys = [(rank[c.entity], c.version, c.id) for c in changes]  # the order a pass follows, for bisect
        self._rank = rank
        self._passes[(scope, clock)] = (changes, keys)
        self._size += len(changes)
        while self._size > self.max_changes:
            self._drop(next(iter(self._passes)))

    def position(self, cursor: Cursor) -> tuple[list[SyncChange], int] | None:
        """The kept pass this mid-pass cursor belongs to, and where its next page starts."""
        kept = self._passes.get((cursor.scope, cursor.upto or 0))
        if kept is None or cursor.after != 0:
            return None
        changes, keys = kept
        rank = self._rank.get(cursor.entity, -1)
        return changes, bisect_right(keys, (rank, cursor.key_version, cursor.key_id))

    def _drop(self, key: tuple[str, int]) -> None:
        changes, _ = self._passes.pop(key)
        self._size -= len(changes)

    def done(self, scope: str, clock: int) -> None:
        if (scope, clock) in self._passes:
            self._drop((scope, clock))


class FirstPulls:
    """Officers' and delegation leads' first pulls in batches: `await page(principal, limit)` → (PullOut, clock)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """`sessionmaker`: bound to an AUTOCOMMIT engine, as pulls are (each statement bounds itself by version)."""
        self._sessionmaker = sessionmaker
        self._batches: Coalescer[Principal, Snapshot] = Coalescer(self._load, max_batch=BATCH)
        self._kept = _Kept(KEPT_CHANGES)

    async def page(self, principal: Principal, limit: int) -> tuple[PullOut, int]:
        snapshot = await self._batches.get(principal)
        out = snapshot_page(principal, snapshot, limit)
        if out.more:
            self._kept.keep(scope_of(principal), snapshot)
        return out, snapshot[1]

    def next_page(self, principal: Principal, cursor_text: str, limit: int) -> tuple[PullOut, int] | None:
        """A later page of a first pull this process still holds; None when it holds none for this cursor."""
        try:
            cursor = decode(cursor_text)
        except Invalid:
            return None
        if cursor.complete or cursor.scope != scope_of(principal):
            return None
        found = self._kept.position(cursor)
        if found is None:
            return None
        changes, start = found
        clock = cursor.upto or 0
        out = snapshot_page(principal, (changes, clock), limit, start)
        if not out.more:
            self._kept.done(cursor.scope, clock)
        return out, clock

    async def _load(self, principals: Sequence[Principal]) -> dict[Principal, Snapshot]:
        async with self._sessionmaker() as session:
            clock = await read_clock(session)
            found = await snapshots(session, principals, clock)
        return {p: (changes, clock) for p, changes in zip(principals, found, strict=True)}
