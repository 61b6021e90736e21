"""What this process knows of the sync clock, so an unchanged poll is answered without the database.

`ClockIndex.value` is never ahead of the committed clock: it only moves to a value some transaction has
committed — told in-process right after a commit (`versioning.COMMIT_LISTENERS`), or read from the database
by a background poll every `POLL_SECONDS`, which is how commits of other worker processes and other
instances are seen. It may lag behind: a commit made elsewhere is seen here within one poll interval
(plus the poll query's own time), the documented bound on how long a 304 can hide a change made by
another process. A commit in this process is seen at once.

`EmptyMemo` remembers "the caller's pull after cursor A was empty when the clock was C" (C read from the
database together with the pull, so it is never ahead either). While `ClockIndex.value <= C`, the same
poll can be answered 304 from memory; once the clock moves, only the versions after C need checking.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from liaison.sync.versioning import COMMIT_LISTENERS, current_version_sql

log = logging.getLogger("liaison.sync")
POLL_SECONDS = 0.5

# Which index to tell about a commit, by the engine the committing session was bound to.
_INDEXES: weakref.WeakKeyDictionary[Engine, ClockIndex] = weakref.WeakKeyDictionary()


class ClockIndex:
    def __init__(self) -> None:
        self.value = -1  # unknown until the first read: nothing is answered from memory before that
        self._last_read = -1
        self._listeners: list[Callable[[int, bool], None]] = []

    def on_advance(self, listener: Callable[[int, bool], None]) -> None:
        """`listener(version, local)` runs each time the value moves; `local` = committed in this process."""
        self._listeners.append(listener)

    def advance(self, version: int, *, local: bool) -> None:
        if version <= self.value:
            return
        self.value = version
        for listener in self._listeners:
            try:
                listener(version, local)
            except Exception:  # a live-events hiccup must never fail the commit that told us
                log.exception("sync clock listener failed")

    def reset(self, version: int) -> None:
        """The database's clock went backwards (a restored or re-created database): follow it."""
        self.value = version

    async def read(self, engine: AsyncEngine) -> int:
        async with engine.connect() as conn:
            value = (await conn.execute(current_version_sql())).scalar_one_or_none()
        return int(value or 0)

    async def poll(self, engine: AsyncEngine, interval: float = POLL_SECONDS) -> None:
        """Follow the committed clock forever (cancelled at shutdown)."""
        while True:
            try:
                value = await self.read(engine)
                # Compared with the last read, not with `value`: a local commit may have moved past this read.
                if value < self._last_read:
                    self.reset(value)
                else:
                    self.advance(value, local=False)
                self._last_read = value
            except Exception as exc:  # the database may be away for a moment; the next poll retries
                log.warning("sync clock poll failed: %s", exc)
            await asyncio.sleep(interval)


class EmptyMemo:
    """(scope, after) → the clock value at which a pull after `after` was found empty. Bounded, LRU."""

    def __init__(self, max_entries: int = 500_000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, int], int] = OrderedDict()

    def get(self, key: tuple[str, int]) -> int | None:
        return self._entries.get(key)

    def put(self, key: tuple[str, int], clock: int) -> None:
        previous = self._entries.get(key)
        if previous is not None and previous >= clock:
            return
        self._entries[key] = clock
        self._entries.move_to_end(key)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


def _tell_index(session: Session, version: int) -> None:
    bind = session.bind
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    index = _INDEXES.get(engine) if engine is not None else None
    if index is not None:
        index.advance(version, local=True)


COMMIT_LISTENERS.append(_tell_index)


@contextlib.asynccontextmanager
async def follow_clock(index: ClockIndex, engine: AsyncEngine) -> AsyncIterator[None]:
    """Attach the index to the engine's commits and poll the database clock while the app runs."""
    _INDEXES[engine.sync_engine] = index
    index.advance(await index.read(engine), local=False)
    task = asyncio.create_task(index.poll(engine), name="sync-clock-poll")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        _INDEXES.pop(engine.sync_engine, None)
