"""The live console: coordinators' open consoles hear acknowledgements and alert changes as they happen."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import msgspec
import pytest
import uvicorn

from liaison.app import create_app
from tests.notice_helpers import notice


@asynccontextmanager
async def served(settings) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """A real server on 127.0.0.1 for the length of a test: the test client buffers whole responses,
    which an endless event stream never finishes."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            yield http
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def _read_events(response, wanted: int) -> list[tuple[str, dict]]:
    events: list[tuple[str, dict]] = []
    kind = None
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        # The notice's own "sent" event may arrive late from a Redis or PostgreSQL backend: only these count here.
        elif line.startswith("data:") and kind in ("ack", "alert_level"):
            events.append((kind, json.loads(line.split(":", 1)[1])))
            if len(events) == wanted:
                return events
    return events


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("backend", ["memory", "redis", "postgres"])
async def test_console_hears_acknowledgements_and_alert_changes_after_commit(signed, settings, backend):
    if backend == "postgres" and settings.is_sqlite:
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL; on SQLite the console uses the memory backend")
    if backend == "redis" and not _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    async with served(msgspec.structs.replace(settings, channels_backend=backend)) as client:
        await _console_story(client, signed)


async def _console_story(client, signed):  # type: ignore[no-untyped-def]
    sent = (
        await client.post(
            "/api/notices", json=notice({"countries": ["DE"]}, requires_ack=True), headers=signed.auth("coordinator")
        )
    ).json()
    async with client.stream("GET", "/api/console/live", headers=signed.auth("coordinator")) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = asyncio.create_task(_read_events(response, 2))
        await asyncio.sleep(0.2)
        await client.post(f"/api/notices/{sent['id']}/ack", headers=signed.auth("officer_de"))
        await client.post(f"/api/notices/{sent['id']}/ack", headers=signed.auth("officer_de"))  # no second event
        await client.put(
            "/api/alert-level", json={"level": "heightened", "reason": "DGSI"}, headers=signed.auth("coordinator")
        )
        events = await asyncio.wait_for(reader, timeout=10)
    (ack_kind, ack), (alert_kind, alert) = events
    assert ack_kind == "ack" and (ack["id"], ack["acknowledged"], ack["audience"]) == (sent["id"], 1, 3)
    assert alert_kind == "alert_level" and (alert["level"], alert["drill"]) == ("heightened", False)


async def test_officers_cannot_open_the_console_stream(client, signed):
    response = await client.get("/api/console/live", headers=signed.auth("officer_de"))
    assert response.status_code == 403
