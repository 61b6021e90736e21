"""Answers that are the same for many callers, computed once and kept as encoded JSON.

Two kinds, both safe to serve again without a stale or foreign row:

- A *range answer* (`shared_answer`): what a source returns for (after, upto] when it depends on nothing of
  the caller but its language (venues, the alert level). Every version <= upto is committed (kept only when
  the session read a clock value >= upto), and a row
  changed since has moved above upto and comes in the next pass, exactly as if the answer had been read a
  moment earlier. The key holds the range and the language, so a new clock value never meets an old answer.
- A *row fragment* (`fragments`): one row's `data` for one version and language (a notice's text, a shift).
  Any change to the row gives it a new version, hence a new key.

Kept per database engine (tests and benches run several apps in one process), bounded, least recently used
first out. Concurrent misses of one key share one computation: after a mass reconnect thousands of phones ask
for the same venues at once.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
_encode = msgspec.json.Encoder().encode


class Lru:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Future[Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def get_or_build(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        value = self.get(key)
        if value is not None:
            return value  # type: ignore[no-any-return]
        waiting = self._pending.get(key)
        if waiting is not None:
            return await asyncio.shield(waiting)  # type: ignore[no-any-return]
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            value = await build()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # the waiters (if any) get it; nobody else needs to
            raise
        finally:
            self._pending.pop(key, None)
        self.put(key, value)
        future.set_result(value)
        return value  # type: ignore[no-any-return]

    def clear(self) -> None:
        self._entries.clear()


_ANSWERS: weakref.WeakKeyDictionary[Any, Lru] = weakref.WeakKeyDictionary()
_FRAGMENTS: weakref.WeakKeyDictionary[Any, Lru] = weakref.WeakKeyDictionary()


def _engine_of(session: AsyncSession) -> Any:
    bind = session.bind
    return getattr(bind, "sync_engine", bind)


_COMMITTED = "liaison.sync.committed"
_FRAGMENTS_KEY = "liaison.sync.fragments"


def remember_committed(session: AsyncSession, clock: int) -> None:
    """`clock` was read from the committed sync clock in this session: every version up to it is final."""
    session.info[_COMMITTED] = max(clock, session.info.get(_COMMITTED, -1))


async def shared_answer(
    session: AsyncSession, key: Hashable, upto: int, build: Callable[[], Awaitable[list[T]]]
) -> list[T]:
    """The answer for `key` (which names the range), computed once per engine. Only for a range that ends at
    or below a clock value this session read: above it, versions not committed yet could still join."""
    if upto > session.info.get(_COMMITTED, -1):
        return await build()
    engine = _engine_of(session)
    lru = _ANSWERS.get(engine)
    if lru is None:
        lru = _ANSWERS[engine] = Lru(256)

    async def encoded() -> list[T]:
        # Kept with each row's data already encoded: every answer that reuses it writes the bytes as they are.
        return [_encoded(change) for change in await build()]

    return await lru.get_or_build(key, encoded)


def _encoded(change: T) -> T:
    data = getattr(change, "data", None)
    if isinstance(data, dict):
        return msgspec.structs.replace(change, data=raw(data))  # type: ignore[type-var]
    return change


def fragments(session: AsyncSession) -> Lru:
    """Encoded row data by (entity, id, version, language...) for the engine `session` reads from.

    Only for a session that reads committed rows (one that read the sync clock, as every pull does): a row
    read inside an open transaction could carry a version that a rollback hands out again.
    """
    if _COMMITTED not in session.info:
        return Lru(0)  # keeps nothing
    lru = session.info.get(_FRAGMENTS_KEY)
    if lru is None:
        engine = _engine_of(session)
        lru = _FRAGMENTS.get(engine)
        if lru is None:
            lru = _FRAGMENTS[engine] = Lru(50_000)
        session.info[_FRAGMENTS_KEY] = lru  # found once per session: many rows of one pull look here
    return lru


def raw(data: Any) -> msgspec.Raw:
    """`data` encoded once; a SyncChange carrying it is written into every answer as is."""
    return msgspec.Raw(_encode(data))
