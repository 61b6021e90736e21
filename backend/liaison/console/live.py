"""The coordinators' live console: acknowledgement counts and alert changes, as Server-Sent Events.

Services call `emit(session, event)` inside their transaction; the event is published on the `console`
channel only AFTER that transaction commits (a rollback publishes nothing). Channels backends keep no
reliable history (litestar#4110, #5008), so events carry ids and counts a console can re-fetch on reconnect.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from litestar import Controller, Request, get
from litestar.channels import ChannelsPlugin
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session

from liaison.auth.guards import coordinators
from liaison.auth.principal import Principal
from liaison.channels import make_channels, with_heartbeat  # noqa: F401  (make_channels re-exported)

CHANNEL = "console"
_PUBLISHER_KEY = "liaison.live_publisher"
_EVENTS_KEY = "liaison.live_events"
KEEPALIVE_SECONDS = 15.0


def attach_publisher(sessionmaker: async_sessionmaker[Any], channels: ChannelsPlugin) -> None:
    """Every session the app opens publishes its queued console events once it commits."""
    sessionmaker.configure(info={_PUBLISHER_KEY: channels})


def emit(session: Any, payload: dict[str, Any]) -> None:
    """Queue a console event on this session; it goes out after commit, or never."""
    session.info.setdefault(_EVENTS_KEY, []).append(payload)


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    events = session.info.pop(_EVENTS_KEY, None)
    channels = session.info.get(_PUBLISHER_KEY)
    if events and channels is not None:
        for payload in events:
            channels.publish(payload, CHANNEL)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_EVENTS_KEY, None)


async def _events(channels: ChannelsPlugin) -> AsyncIterator[Any]:
    yield ServerSentEventMessage(event="hello", data=json.dumps({"channel": CHANNEL}))
    async with channels.start_subscription([CHANNEL]) as subscriber:
        async for raw in with_heartbeat(subscriber, KEEPALIVE_SECONDS):
            if raw is None:
                # A comment line keeps proxies from closing an idle stream.
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            payload = json.loads(raw)
            yield ServerSentEventMessage(event=str(payload.get("type", "message")), data=raw.decode())


class ConsoleLiveController(Controller):
    path = "/api/console"
    tags = ["console"]
    guards = [coordinators]

    @get(
        "/live",
        summary="Server-Sent Events for open consoles: `ack` (counts per notice) and `alert_level` changes",
    )
    async def live(self, request: Request[Principal, str, object]) -> ServerSentEvent:
        channels = request.app.plugins.get(ChannelsPlugin)
        return ServerSentEvent(_events(channels), headers={"Cache-Control": "no-cache"})
