"""Where domains plug into sync: pull sources (what changed for a caller) and offline mutation handlers.

A domain registers at import time, e.g. in `notices/sync.py`:

    @pull_source("notice")
    async def notices_changed(session, principal, after, upto) -> list[SyncChange]: ...

    @mutation("notice.ack")
    async def ack(session, principal, args, occurred_at) -> dict | None: ...

A domain whose rows an officer's first pull reads per officer may also register a *snapshot source*, which
answers that first pull for many officers at once (see snapshots.py):

    @snapshot_source("notice")
    async def notices_of(session, principals, upto) -> list[list[SyncChange]]: ...  # one list per principal

A pull source returns every row of its entity the caller may see with after < version <= upto, plus
tombstones (op="delete") for rows deleted or no longer visible. A mutation handler applies one client
mutation inside the caller's transaction (it must NOT commit: the sync service commits it together with
the idempotency record) and raises a liaison.errors.DomainError to reject it with a reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal


class SyncChange(msgspec.Struct):
    entity: str
    id: str
    op: Literal["upsert", "delete"]
    # Raw: the row's JSON encoded once and shared by many answers (see shared.py).
    data: dict[str, Any] | msgspec.Raw | None
    version: int


PullSource = Callable[[AsyncSession, Principal, int, int], Awaitable[list[SyncChange]]]
MutationHandler = Callable[[AsyncSession, Principal, dict[str, Any], datetime], Awaitable[dict[str, Any] | None]]

# A source that can page itself: given the last (version, id) already sent (None: from the start) and a
# limit, it returns at most `limit` changes after that key, sorted by (version, id). For large scopes
# (a coordinator's 20,000 assignments) so that no pull loads everything to send a page of it.
PageKey = tuple[int, str]
PagedPullSource = Callable[[AsyncSession, Principal, int, int, PageKey | None, int], Awaitable[list[SyncChange]]]

# Many officers' first pulls (after = 0) at once: for each principal, in the order given, the changes its pull
# source would give with after = 0 and the same `upto`, sorted by (version, id).
SnapshotSource = Callable[[AsyncSession, Sequence[Principal], int], Awaitable[list[list[SyncChange]]]]

PULL_SOURCES: dict[str, PullSource] = {}
SNAPSHOT_SOURCES: dict[str, SnapshotSource] = {}
PAGED_PULL_SOURCES: dict[str, PagedPullSource] = {}
MUTATIONS: dict[str, MutationHandler] = {}


def pull_source(entity: str) -> Callable[[PullSource], PullSource]:
    def register(fn: PullSource) -> PullSource:
        PULL_SOURCES[entity] = fn
        return fn

    return register


def paged_pull_source(entity: str) -> Callable[[PagedPullSource], PagedPullSource]:
    def register(fn: PagedPullSource) -> PagedPullSource:
        PAGED_PULL_SOURCES[entity] = fn
        return fn

    return register


def snapshot_source(entity: str) -> Callable[[SnapshotSource], SnapshotSource]:
    def register(fn: SnapshotSource) -> SnapshotSource:
        SNAPSHOT_SOURCES[entity] = fn
        return fn

    return register


# The order changes of one entity follow in a pull, so that a page can say where it ended.
PAGE_ORDER = attrgetter("version", "id")


def page_of(changes: list[SyncChange], start: PageKey | None, limit: int) -> list[SyncChange]:
    """The page after `start` of an unpaged source's answer, in the (version, id) order pages follow."""
    ordered = sorted(changes, key=PAGE_ORDER)
    if start is not None:
        ordered = [c for c in ordered if (c.version, c.id) > start]
    return ordered[:limit]


def mutation(name: str) -> Callable[[MutationHandler], MutationHandler]:
    def register(fn: MutationHandler) -> MutationHandler:
        MUTATIONS[name] = fn
        return fn

    return register
