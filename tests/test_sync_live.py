"""Live updates: an open app is told "changed, pull now" for its own changes, and not for other people's."""

from __future__ import annotations

import asyncio
import json
import uuid
from types import SimpleNamespace

from liaison.auth.principal import Principal
from liaison.sync.live import _events
from tests.sync_helpers import entities, mutation, pull_all


async def test_open_app_is_told_of_its_own_changes_only(client, signed, app):
    mine = await pull_all(client, signed.auth("officer_de"))
    other = await pull_all(client, signed.auth("officer_it"))
    clock = app.state.sync_index.value
    principal = Principal(signed.officer_de.id, uuid.uuid4(), "officer", "DE", "de", "Anna Schmidt")
    # The stream as the server runs it for Anna's open app (the HTTP test client buffers whole bodies).
    stream = _events(SimpleNamespace(app=app, user=principal), clock)
    ready = await asyncio.wait_for(anext(stream), timeout=5)
    assert ready.event == "ready"
    next_event = asyncio.ensure_future(anext(stream))
    # Giulia checks in: the clock moves, but nothing Anna may see changed.
    (their,) = entities(other["changes"], "assignment")
    await client.post(
        "/api/sync/mutations",
        json={"client_id": str(uuid.uuid4()), "mutations": [mutation("shift.checkin", {"assignment_id": their["id"]})]},
        headers=signed.auth("officer_it"),
    )
    await asyncio.sleep(1.6)
    assert not next_event.done(), "told of a change that was not for this officer"
    # Anna's language changes from her other device: her open app hears of it.
    await client.post(
        "/api/sync/mutations",
        json={"client_id": str(uuid.uuid4()), "mutations": [mutation("me.locale", {"locale": "pl"})]},
        headers=signed.auth("officer_de"),
    )
    changed = await asyncio.wait_for(next_event, timeout=10)
    assert changed.event == "changed"
    assert json.loads(changed.data)["version"] == app.state.sync_index.value
    delta = await pull_all(client, signed.auth("officer_de"), mine["cursor"])
    assert entities(delta["changes"], "me")[0]["data"]["locale"] == "pl"
    await stream.aclose()


async def test_live_stream_needs_a_sign_in(client):
    response = await client.get("/api/sync/live")
    assert response.status_code == 401
