"""Property: whatever the network does to a phone's outbox, the server ends as if each action arrived once.

A phone queues actions offline (acknowledge a notice, check in, check out, change language) and replays its
outbox the way the PWA does: each batch is the pending actions from the oldest one on. The network drops requests, loses
answers (the phone retries what the server already applied), delivers batches late and out of order, and
the phone sometimes sends an action twice in one batch. Meanwhile the host side changes shifts and venues,
and the phone pulls. At the end the server's state and every action's outcome must equal a clean run in
which each action arrived exactly once, and the phone's replica must equal a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from liaison.app import create_app
from liaison.database import make_engine, make_sessionmaker
from liaison.migrate import upgrade
from liaison.notices.models import NoticeRecipient
from liaison.officers.models import User
from liaison.settings import Settings
from liaison.shifts.models import Assignment, Shift
from liaison.sync.clock_index import POLL_SECONDS
from liaison.sync.models import SyncMutation
from liaison.venues.models import Venue
from tests.conftest import _in_thread
from tests.factories import World, build_world, signed_in_world
from tests.sync_helpers import apply, pull_all

ACTIONS = ("ack", "checkin", "checkout", "locale:fr", "locale:it", "locale:de")
FAULTS = ("ok", "request_lost", "answer_lost", "late")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(1, 4), st.sampled_from(FAULTS), st.booleans()),
        st.tuples(st.just("deliver_late"), st.integers(0, 3)),
        st.tuples(st.just("server"), st.sampled_from(("shift_notes", "venue_meeting_point", "new_assignment"))),
        st.tuples(st.just("pull")),
    ),
    max_size=12,
)


class Phone:
    """The officer's phone: an outbox replayed from its oldest pending action, and a replica kept by pulls."""

    def __init__(self, client: AsyncTestClient, headers: dict[str, str], outbox: list[dict[str, Any]]) -> None:
        self.client, self.headers = client, headers
        self.client_id = str(uuid.uuid4())
        self.pending = list(outbox)
        self.late: list[list[dict[str, Any]]] = []
        self.replica: dict[tuple[str, str], Any] = {}
        self.cursor: str | None = None
        self.etag: str | None = None

    async def post(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = await self.client.post(
            "/api/sync/mutations", json={"client_id": self.client_id, "mutations": batch}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert {r["status"] for r in results} <= {"applied", "duplicate", "rejected"}
        return results

    def acknowledge(self, results: list[dict[str, Any]]) -> None:
        answered = {r["id"] for r in results}
        self.pending = [m for m in self.pending if m["id"] not in answered]

    async def send(self, size: int, fault: str, twice: bool) -> None:
        batch = self.pending[:size]
        if not batch:
            return
        if twice:
            batch = batch + batch[:1]
        if fault == "request_lost":
            return
        if fault == "late":
            self.late.append(batch)
            return
        results = await self.post(batch)
        if fault == "ok":
            self.acknowledge(results)

    async def deliver_late(self, index: int) -> None:
        if self.late:
            self.acknowledge(await self.post(self.late.pop(index % len(self.late))))

    async def pull(self) -> None:
        headers = {**self.headers, **({"If-None-Match": self.etag} if self.etag else {})}
        while True:
            params = {"cursor": self.cursor} if self.cursor else {}
            response = await self.client.get("/api/sync", params=params, headers=headers)
            if response.status_code == 304:
                return
            body = response.json()
            if body.get("reset"):
                self.replica.clear()  # a fresh snapshot follows: nothing older is ours any more
            apply(self.replica, body["changes"])
            self.cursor, self.etag = body["cursor"], response.headers["etag"]
            headers = self.headers
            if not body["more"]:
                return

    async def drain(self) -> None:
        """Signal is back for good: late batches arrive, then the outbox is replayed until empty."""
        while self.late:
            await self.deliver_late(0)
        while self.pending:
            self.acknowledge(await self.post(self.pending[:3]))


def outbox_of(actions: list[str], assignment_id: str, notice_id: str, base: datetime) -> list[dict[str, Any]]:
    out = []
    for i, action in enumerate(actions):
        if action == "ack":
            name, args = "notice.ack", {"notice_id": notice_id}
        elif action.startswith("locale:"):
            name, args = "me.locale", {"locale": action.split(":")[1]}
        else:
            name, args = f"shift.{action}", {"assignment_id": assignment_id}
        out.append(
            {
                "id": str(uuid.uuid4()),
                "name": name,
                "args": args,
                "occurred_at": (base + timedelta(minutes=i)).isoformat(),
            }
        )
    return out


async def server_change(db, world, kind: str, counter: list[int]) -> None:  # type: ignore[no-untyped-def]
    counter[0] += 1
    if kind == "shift_notes":
        (await db.get(Shift, world.shift_today.id)).notes = f"briefing {counter[0]}"
    elif kind == "venue_meeting_point":
        (await db.get(Venue, world.venue.id)).meeting_point = f"Gate {counter[0]}"
    else:
        live = await db.execute(
            select(Assignment).where(
                Assignment.user_id == world.officer_de.id,
                Assignment.shift_id == world.shift_tomorrow.id,
                Assignment.deleted_at.is_(None),
            )
        )
        if live.first() is None:
            db.add(Assignment(shift_id=world.shift_tomorrow.id, user_id=world.officer_de.id))
    await db.commit()


async def final_state(db, world, outbox, notice_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assignment_id, officer_id = world.assignment_de.id, world.officer_de.id
    db.expire_all()
    assignment = await db.get(Assignment, assignment_id)
    user = await db.get(User, officer_id)
    records = (await db.execute(select(SyncMutation.id, SyncMutation.status))).all()
    acks = (
        await db.execute(
            select(NoticeRecipient.acknowledged_at).where(
                NoticeRecipient.notice_id == uuid.UUID(notice_id), NoticeRecipient.acknowledged_at.is_not(None)
            )
        )
    ).all()
    return {
        # What the coordinator's count is made of, and the time the phone says the officer acknowledged.
        "acknowledged": [r.acknowledged_at for r in acks],
        "assignment": (assignment.status, assignment.checked_in_at, assignment.checked_out_at),
        "locale": user.locale,
        # Status, not the message: a rejection is worded in the language current when it was applied.
        "outcomes": {str(r.id): r.status for r in records},
        "records": len(records),
        "all_sent": {m["id"] for m in outbox} == {str(r.id) for r in records},
    }


def _app(database: Path) -> Litestar:
    url = f"sqlite+aiosqlite:///{database}"
    return create_app(
        Settings(database_url=url, static_dir=database.parent / "none", data_dir=database.parent, run_worker=False)
    )


async def _signed_world(database: Path) -> tuple[World, str]:
    """The test world with everyone signed in, and a notice to the German officer that asks for an ack."""
    app = _app(database)
    engine = make_engine(app.state.settings)
    try:
        async with AsyncTestClient(app=app) as client, make_sessionmaker(engine)() as db:
            world = await signed_in_world(client, await build_world(db))
            sent = await client.post(
                "/api/notices",
                headers=world.auth("coordinator"),
                json={
                    "audience": {"officers": [str(world.officer_de.id)]},
                    "priority": "urgent",
                    "requires_ack": True,
                    "content": {"de": {"title": "Tor B gesperrt", "body": "Bitte Tor C benutzen."}},
                },
            )
            assert sent.status_code == 201, sent.text
            _TEMPLATE["notice_sent_at"] = datetime.fromisoformat(sent.json()["created_at"])
            return world, str(sent.json()["id"])
    finally:
        await engine.dispose()


async def run(
    database: Path,
    world: World,
    notice_id: str,
    actions: list[str],
    plan: list[tuple[Any, ...]] | None,
    base: datetime,
) -> tuple[dict[str, Any], bool]:
    app = _app(database)
    engine = make_engine(app.state.settings)
    try:
        async with AsyncTestClient(app=app) as client, make_sessionmaker(engine)() as db:
            outbox = outbox_of(actions, str(world.assignment_de.id), notice_id, base)
            phone = Phone(client, world.auth("officer_de"), outbox)
            counter = [0]
            if plan is None:  # the clean run: every action once, in order, nothing lost
                for step in ("shift_notes", "venue_meeting_point", "new_assignment"):
                    await server_change(db, world, step, counter)
                await phone.drain()
            else:
                for step in plan:
                    if step[0] == "send":
                        await phone.send(step[1], step[2], step[3])
                    elif step[0] == "deliver_late":
                        await phone.deliver_late(step[1])
                    elif step[0] == "server":
                        await server_change(db, world, step[1], counter)
                    else:
                        await phone.pull()
                await phone.drain()
            # Host-side changes came through another connection, as from another server process: the 304 path
            # learns of them within one clock poll, the documented bound.
            await asyncio.sleep(POLL_SECONDS + 0.2)
            await phone.pull()
            snapshot = apply({}, (await pull_all(client, world.auth("officer_de")))["changes"])
            state = await final_state(db, world, outbox, notice_id)
            # Ids differ between the two runs: compare outcomes by position in the outbox.
            state["outcomes"] = [state["outcomes"][m["id"]] for m in outbox]
            replica_ok = phone.replica == snapshot
            return state, replica_ok
    finally:
        await engine.dispose()


_TEMPLATE: dict[str, Any] = {}


def signed_world_database(tmp: Path) -> tuple[Path, World, str]:
    """A migrated SQLite file holding the signed-in test world, copied per run (argon2 sign-ins are slow)."""
    if "path" not in _TEMPLATE:
        template = tmp.parent / f"sync-property-template-{uuid.uuid4().hex[:6]}.db"
        _in_thread(upgrade, f"sqlite+aiosqlite:///{template}")
        _TEMPLATE["world"], _TEMPLATE["notice"] = asyncio.run(_signed_world(template))
        _TEMPLATE["path"] = template
    target = tmp / f"{uuid.uuid4().hex}.db"
    shutil.copy(_TEMPLATE["path"], target)
    return target, _TEMPLATE["world"], _TEMPLATE["notice"]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=6), plan=steps)
def test_outbox_replays_through_a_bad_network_end_like_a_clean_run(tmp_path, actions, plan):
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=50)
    clean, clean_replica = asyncio.run(run(*signed_world_database(tmp_path), actions, None, base))
    faulty, faulty_replica = asyncio.run(run(*signed_world_database(tmp_path), actions, plan, base))
    # The timestamps are the phone's own, so even check-in times match; no action lost, none doubled.
    assert faulty["assignment"] == clean["assignment"]
    assert faulty["locale"] == clean["locale"]
    # The coordinator's count: one acknowledgement if the officer acknowledged at all, at the first tap's time
    # (never before the notice was sent: these phones' outboxes start before it).
    assert faulty["acknowledged"] == clean["acknowledged"]
    assert len(clean["acknowledged"]) == (1 if "ack" in actions else 0)
    if "ack" in actions:
        first_tap = base + timedelta(minutes=actions.index("ack"))
        expected = max(first_tap, _TEMPLATE["notice_sent_at"])
        assert clean["acknowledged"][0].replace(tzinfo=UTC) == expected
    assert faulty["outcomes"] == clean["outcomes"]
    assert faulty["records"] == clean["records"] == len(actions)
    assert faulty["all_sent"] and clean["all_sent"]
    assert clean_replica and faulty_replica, "the phone's replica differs from a fresh snapshot"
