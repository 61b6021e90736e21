"""Two server processes on one database (`liaison serve --workers 2`, or two instances behind a balancer).

Each process answers unchanged polls 304 from its own memory. A change committed by the other process must
end those 304s within the documented bound (one clock poll), never later, and the next pull must bring it.
"""

from __future__ import annotations

import asyncio
import time

from litestar.testing import AsyncTestClient

from liaison.app import create_app
from liaison.sync.clock_index import POLL_SECONDS
from tests.sync_helpers import entities, pull_all


async def test_a_change_made_through_another_process_ends_the_304s_within_one_clock_poll(app, client, signed):
    officer = signed.auth("officer_de")
    other_process = create_app(app.state.settings)
    async with AsyncTestClient(app=other_process) as other:
        # The phone's pulls and polls go to the other process, which knows its cursor is up to date.
        await asyncio.sleep(POLL_SECONDS + 0.2)  # the world was written before it started: let it poll once
        snapshot = await pull_all(other, officer)
        inm = {**officer, "If-None-Match": snapshot["etag"]}
        polled = await other.get("/api/sync", params={"cursor": snapshot["cursor"]}, headers=inm)
        assert polled.status_code == 304

        # The planner edits the officer's shift through this process.
        shift_id = str(signed.shift_today.id)
        edited = await client.patch(
            f"/api/shifts/{shift_id}", json={"task": "Gate X liaison"}, headers=signed.auth("coordinator")
        )
        assert edited.status_code == 200, edited.text
        committed_at = time.monotonic()

        # The other process may still say 304 for at most one clock poll (plus the poll's own query); then
        # never again, and its answer carries the edit.
        while True:
            polled = await other.get("/api/sync", params={"cursor": snapshot["cursor"]}, headers=inm)
            if polled.status_code == 200:
                break
            assert polled.status_code == 304
            assert time.monotonic() - committed_at < POLL_SECONDS + 1.0, "a 304 hid another process's commit"
            await asyncio.sleep(0.05)
        (shift,) = entities(polled.json()["changes"], "shift")
        assert shift["id"] == shift_id and shift["data"]["task"] == "Gate X liaison"
        again = await other.get("/api/sync", params={"cursor": snapshot["cursor"]}, headers=inm)
        assert again.status_code == 200  # the old cursor stays outdated: no stale 304 after the first 200

        # Both processes agree on what the phone now holds: the next poll with the new cursor is a 304 on both.
        caught_up = {**officer, "If-None-Match": polled.headers["etag"]}
        cursor = {"cursor": polled.json()["cursor"]}
        assert (await other.get("/api/sync", params=cursor, headers=caught_up)).status_code == 304
        assert (await client.get("/api/sync", params=cursor, headers=caught_up)).status_code == 304
