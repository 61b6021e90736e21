"""Where domains plug into sync: pull sources (what changed for a caller) and offline mutation handlers.

A domain registers at import time, e.g. in `notices/sync.py`:

    @pull_source("notice")
    async def notices_changed(session, principal, after, upto) -> list[SyncChange]: ...

    @mutation("notice.ack")
    async def ack(session, principal, args, occurred_at) -> dict | None: ...

A pull source returns every row of its entity the caller may see with after < version <= upto, plus
tombstones (op="delete") for rows deleted or no longer visible. A mutation handler applies one client
mutation inside the caller's transaction (it must NOT commit: the sync service commits it together with
the idempotency record) and raises a liaison.errors.DomainError to reject it with a reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal


class SyncChange(msgspec.Struct):
    entity: str
    id: str
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None
    version: int


PullSource = Callable[[AsyncSession, Principal, int, int], Awaitable[list[SyncChange]]]
MutationHandler = Callable[[AsyncSession, Principal, dict[str, Any], datetime], Awaitable[dict[str, Any] | None]]

PULL_SOURCES: dict[str, PullSource] = {}
MUTATIONS: dict[str, MutationHandler] = {}


def pull_source(entity: str) -> Callable[[PullSource], PullSource]:
    def register(fn: PullSource) -> PullSource:
        PULL_SOURCES[entity] = fn
        return fn

    return register


def mutation(name: str) -> Callable[[MutationHandler], MutationHandler]:
    def register(fn: MutationHandler) -> MutationHandler:
        MUTATIONS[name] = fn
        return fn

    return register
