"""The one Litestar Channels plugin of the app: `sync` (something changed, pull) and `console` (live counts).

Memory backend by default (one process); Redis or PostgreSQL LISTEN/NOTIFY when several processes or
instances must hear each other. The PostgreSQL backends of Litestar 2.x keep no history and had delivery
bugs (litestar#4110, #5008): events only carry ids and versions, and every listener re-fetches or re-pulls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from litestar.channels import ChannelsPlugin, Subscriber
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from liaison.settings import Settings

CHANNELS = ["sync", "console"]


def is_shared(settings: Settings) -> bool:
    """Whether a published event reaches the other processes too (else each process publishes for itself)."""
    return settings.channels_backend == "redis" or (settings.channels_backend == "postgres" and not settings.is_sqlite)


def _backend(settings: Settings) -> ChannelsBackend:
    if settings.channels_backend == "redis":
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url), key_prefix="liaison")
    if settings.channels_backend == "postgres" and not settings.is_sqlite:
        from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

        return AsyncPgChannelsBackend(dsn=settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    # SQLite has no LISTEN/NOTIFY: in-process delivery is the only one that works there.
    return MemoryChannelsBackend()


def make_channels(settings: Settings) -> ChannelsPlugin:
    return ChannelsPlugin(backend=_backend(settings), channels=CHANNELS, subscriber_max_backlog=1000)


async def with_heartbeat(subscriber: Subscriber, every: float) -> AsyncIterator[bytes | None]:
    """The subscriber's events, and None whenever `every` seconds pass without one (time for a keep-alive).

    One read stays pending across heartbeats: cancelling it on a timeout would end the subscriber's iterator.
    """
    stream = subscriber.iter_events()
    pending: asyncio.Future[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(stream))
            done, _ = await asyncio.wait({pending}, timeout=every)
            if not done:
                yield None
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield event
    finally:
        if pending is not None:
            pending.cancel()
