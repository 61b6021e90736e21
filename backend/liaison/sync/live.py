"""Live updates while the app is open: a Server-Sent Events stream saying "something changed for you, pull".

Events carry only the clock version, never data: the app pulls (the one path that knows scope and
deletes). Every commit that takes a sync version is published on the `sync` channel after it commits
(from the process's clock index: at once for its own commits, within a poll for other processes'). Each
open stream checks, at most once a second, whether anything in the new versions is visible to its caller,
and only then sends `changed`. Memory backend by default; with LIAISON_CHANNELS_BACKEND=redis the
processes share one Redis channel, and each publishes only its own commits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

import msgspec
from litestar import Controller, Litestar, Request, get
from litestar.channels import ChannelsPlugin
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from liaison.auth.principal import Principal
from liaison.channels import is_shared, with_heartbeat
from liaison.database import make_sessionmaker
from liaison.settings import Settings
from liaison.sync.clock_index import ClockIndex, EmptyMemo, follow_clock
from liaison.sync.cursor import decode, scope_of
from liaison.sync.pull import has_changes, read_clock
from liaison.sync.snapshots import FirstPulls

CHANNEL = "sync"
CHECK_EVERY = 1.0  # seconds: coalesces bursts of commits into one check per stream
HEARTBEAT = 25.0  # seconds: keeps proxies from closing an idle stream


@contextlib.asynccontextmanager
async def sync_lifespan(app: Litestar) -> AsyncIterator[None]:
    """The clock index and the empty-pull memo of this process, and the live-event publisher."""
    index, memo = ClockIndex(), EmptyMemo()
    app.state.sync_index, app.state.sync_memo = index, memo
    # Pulls only read, and each statement bounds itself by version: no BEGIN/ROLLBACK round trips needed.
    app.state.sync_reader = make_sessionmaker(app.state.engine.execution_options(isolation_level="AUTOCOMMIT"))
    app.state.first_pulls = FirstPulls(app.state.sync_reader)
    settings: Settings = app.state.settings
    channels = app.plugins.get(ChannelsPlugin)
    shared = is_shared(settings)

    def publish(version: int, local: bool) -> None:
        if local or not shared:
            channels.publish({"version": version}, CHANNEL)

    async with follow_clock(index, app.state.engine):
        index.on_advance(publish)
        yield


async def _events(request: Request[Principal, str, object], after: int) -> AsyncGenerator[ServerSentEventMessage, None]:
    channels = request.app.plugins.get(ChannelsPlugin)
    sessionmaker = request.app.state.sync_reader
    principal = request.user
    async with channels.start_subscription([CHANNEL]) as subscriber:
        yield ServerSentEventMessage(event="ready", data=msgspec.json.encode({"version": after}).decode())
        async with sessionmaker() as session:
            upto = await read_clock(session)
            if await has_changes(session, principal, after, upto):
                # Changes the app has not pulled yet, from before it connected.
                yield ServerSentEventMessage(event="changed", data=msgspec.json.encode({"version": upto}).decode())
            after = max(after, upto)
        async for event in with_heartbeat(subscriber, HEARTBEAT):
            if event is None:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            await asyncio.sleep(CHECK_EVERY)  # let a burst settle: one check for many commits
            async with sessionmaker() as session:
                upto = await read_clock(session)
                changed = await has_changes(session, principal, after, upto)
            if changed:
                yield ServerSentEventMessage(event="changed", data=msgspec.json.encode({"version": upto}).decode())
            after = max(after, upto)


class LiveController(Controller):
    path = "/api/sync/live"
    tags = ["sync"]

    @get(
        "/",
        summary="Server-Sent Events: `changed` when something the caller may see changed; then pull",
        description="Give the cursor of the last pull; without one, changes from the moment of connecting count.",
    )
    async def live(
        self,
        request: Request[Principal, str, object],
        cursor: Annotated[str | None, QueryParameter(max_length=512, description="The last pull's cursor")] = None,
    ) -> ServerSentEvent:
        after: int | None = None
        if cursor:
            parsed = decode(cursor)
            if parsed.scope == scope_of(request.user):
                after = parsed.after
        if after is None:
            async with request.app.state.sync_reader() as session:
                after = await read_clock(session)
        return ServerSentEvent(
            _events(request, after), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )


__all__ = ["EmptyMemo", "LiveController", "sync_lifespan"]
