"""Live updates: an open app is told "changed, pull now" for its own changes, and not for other people's."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from liaison.app import create_app
from liaison.auth.principal import Principal
from liaison.sync.live import _events
from liaison.sync.mutations import apply_batch
from liaison.sync.schemas import MutationBatchIn, MutationIn


def _batch(name: str, args: dict) -> MutationBatchIn:
    item = MutationIn(id=uuid.uuid4(), name=name, occurred_at=datetime.now(UTC), args=args)
    return MutationBatchIn(client_id=str(uuid.uuid4()), mutations=[item])


async def test_open_app_is_told_of_its_own_changes_only(settings, signed):
    # The stream as the server runs it, on this event loop (the HTTP test client buffers whole bodies, and an
    # endless stream never ends): a second app instance on the same database, its lifespan running here.
    app = create_app(settings)
    anna = Principal(signed.officer_de.id, uuid.uuid4(), "officer", "DE", "de", "Anna Schmidt")
    giulia = Principal(signed.officer_it.id, uuid.uuid4(), "officer", "IT", "it", "Giulia Rossi")
    async with app.lifespan():
        stream = _events(SimpleNamespace(app=app, user=anna), app.state.sync_index.value)
        ready = await asyncio.wait_for(anext(stream), timeout=5)
        assert ready.event == "ready"
        next_event = asyncio.ensure_future(anext(stream))
        # Giulia changes her language: the clock moves, but nothing Anna may see changed.
        async with app.state.sessionmaker() as session:
            await apply_batch(session, giulia, _batch("me.locale", {"locale": "fr"}))
        await asyncio.sleep(1.6)
        assert not next_event.done(), "told of a change that was not for this officer"
        # Anna's own language changes (from her other device): her open app hears of it.
        async with app.state.sessionmaker() as session:
            results = await apply_batch(session, anna, _batch("me.locale", {"locale": "pl"}))
        assert results[0].status == "applied"
        changed = await asyncio.wait_for(next_event, timeout=10)
        assert changed.event == "changed"
        assert json.loads(changed.data)["version"] == app.state.sync_index.value
        await stream.aclose()


async def test_live_stream_needs_a_sign_in(client):
    response = await client.get("/api/sync/live")
    assert response.status_code == 401
