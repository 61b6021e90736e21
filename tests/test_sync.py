"""Offline sync through the public API: snapshots, deltas, 304s, deletes, scope and mutations applied once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from liaison.database import utcnow
from liaison.shifts.models import Assignment, Shift
from liaison.sync.clock_index import POLL_SECONDS
from liaison.sync.cursor import decode
from liaison.sync.versioning import Tombstone, transaction_version
from tests.sync_helpers import apply, entities, mutation, pull_all


async def test_officer_gets_a_snapshot_of_what_it_may_see(client, signed):
    snapshot = await pull_all(client, signed.auth("officer_de"))
    changes = snapshot["changes"]
    assert {c["op"] for c in changes} == {"upsert"}
    (me,) = entities(changes, "me")
    assert me["data"]["id"] == str(signed.officer_de.id) and me["data"]["locale"] == "de"
    (assignment,) = entities(changes, "assignment")
    assert assignment["data"] == {
        "id": str(signed.assignment_de.id),
        "status": "assigned",
        "shift_id": str(signed.shift_today.id),
        "officer_id": str(signed.officer_de.id),
        "checked_in_at": None,
        "checked_out_at": None,
    }
    (shift,) = entities(changes, "shift")
    assert shift["data"]["task"] == "Spectator entrance liaison" and "venue" not in shift["data"]
    (venue,) = entities(changes, "venue")
    assert venue["data"]["name"] == "Stade de France" and venue["data"]["map_url"].startswith("https://")
    # The same JSON the REST API gives for that venue.
    rest = await client.get(f"/api/venues/{signed.venue.id}", headers=signed.auth("officer_de"))
    assert rest.json() == venue["data"]


async def _clock_caught_up(app, version: int) -> None:
    for _ in range(100):
        if app.state.sync_index.value >= version:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the clock index never reached {version} (poll interval {POLL_SECONDS} s)")


async def test_empty_delta_then_304_without_touching_the_database(client, signed, app):
    headers = signed.auth("officer_de")
    snapshot = await pull_all(client, headers)
    delta = await client.get("/api/sync", params={"cursor": snapshot["cursor"]}, headers=headers)
    assert delta.status_code == 200
    assert delta.json() == {"cursor": snapshot["cursor"], "changes": [], "more": False, "reset": False}
    etag = delta.headers["etag"]
    assert etag == snapshot["etag"]

    # The test world was written through another engine: this process hears of it within one clock poll.
    await _clock_caught_up(app, decode(snapshot["cursor"]).after)

    # The unchanged poll must be answered from memory: a database that cannot be reached changes nothing.
    def no_database():
        raise AssertionError("the 304 fast path opened a database session")

    real = app.state.sessionmaker, app.state.sync_reader
    app.state.sessionmaker = app.state.sync_reader = no_database
    try:
        unchanged = await client.get(
            "/api/sync", params={"cursor": snapshot["cursor"]}, headers={**headers, "If-None-Match": etag}
        )
    finally:
        app.state.sessionmaker, app.state.sync_reader = real
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag


async def test_304_stays_while_others_change_and_ends_when_the_officer_is_concerned(client, signed):
    officer, other = signed.auth("officer_de"), signed.auth("officer_it")
    snapshot = await pull_all(client, officer)
    inm = {**officer, "If-None-Match": snapshot["etag"]}
    (it_assignment,) = entities((await pull_all(client, other))["changes"], "assignment")
    # Giulia checks in: the clock moves, but nothing Anna may see changed.
    checkin = mutation("shift.checkin", {"assignment_id": it_assignment["id"]})
    done = await client.post("/api/sync/mutations", json={"client_id": str(uuid.uuid4()), "mutations": [checkin]})
    assert done.status_code == 401  # no token: nothing applied
    done = await client.post(
        "/api/sync/mutations", json={"client_id": str(uuid.uuid4()), "mutations": [checkin]}, headers=other
    )
    assert done.json()["results"][0]["status"] == "applied"
    still = await client.get("/api/sync", params={"cursor": snapshot["cursor"]}, headers=inm)
    assert still.status_code == 304
    # Anna changes her language: now there is something for her.
    mine = mutation("me.locale", {"locale": "fr"})
    await client.post(
        "/api/sync/mutations", json={"client_id": str(uuid.uuid4()), "mutations": [mine]}, headers=officer
    )
    changed = await client.get("/api/sync", params={"cursor": snapshot["cursor"]}, headers=inm)
    assert changed.status_code == 200
    (me,) = entities(changed.json()["changes"], "me")
    assert me["data"]["locale"] == "fr"


async def test_unassignment_arrives_as_a_delete_in_the_next_pull(client, signed, db):
    headers = signed.auth("officer_de")
    snapshot = await pull_all(client, headers)
    # The planning console removes Anna from the shift (another process: the API server is not told).
    assignment = await db.get(Assignment, signed.assignment_de.id)
    assignment.soft_delete()
    await db.commit()
    # The server learns of the other process's commit within one clock poll (0.5 s).
    await asyncio.sleep(0.7)
    response = await client.get(
        "/api/sync", params={"cursor": snapshot["cursor"]}, headers={**headers, "If-None-Match": snapshot["etag"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert {(c["entity"], c["id"], c["op"]) for c in body["changes"]} == {
        ("assignment", str(signed.assignment_de.id), "delete"),
        ("shift", str(signed.shift_today.id), "delete"),
    }
    replica = apply(apply({}, snapshot["changes"]), body["changes"])
    assert {entity for entity, _ in replica} == {"me", "venue", "alert_level"}
    # Giulia, still on that shift, keeps it.
    it = await pull_all(client, signed.auth("officer_it"))
    assert [c["id"] for c in entities(it["changes"], "shift")] == [str(signed.shift_today.id)]


async def test_lost_visibility_tombstone_is_a_delete_for_that_person_only(client, signed, db):
    snapshot = await pull_all(client, signed.auth("officer_de"))
    other = await pull_all(client, signed.auth("officer_it"))
    version = await transaction_version(db)
    db.add(
        Tombstone(entity="venue", entity_id=str(signed.venue.id), user_id=str(signed.officer_de.id), version=version)
    )
    db.add(
        Tombstone(
            entity="assignment",
            entity_id=str(signed.assignment_de.id),
            user_id=str(signed.officer_de.id),
            version=version,
        )
    )
    await db.commit()
    mine = await pull_all(client, signed.auth("officer_de"), snapshot["cursor"])
    assert ("assignment", str(signed.assignment_de.id), "delete") in {
        (c["entity"], c["id"], c["op"]) for c in mine["changes"]
    }
    theirs = await pull_all(client, signed.auth("officer_it"), other["cursor"])
    assert theirs["changes"] == []


async def test_shift_change_reaches_its_officers_and_a_new_assignment_brings_its_shift(client, signed, db):
    headers = signed.auth("officer_de")
    snapshot = await pull_all(client, headers)
    shift = await db.get(Shift, signed.shift_today.id)
    shift.notes = "Bring the blue armband"
    db.add(Assignment(shift_id=signed.shift_tomorrow.id, user_id=signed.officer_de.id))
    await db.commit()
    delta = await pull_all(client, headers, snapshot["cursor"])
    shifts = {c["id"]: c["data"] for c in entities(delta["changes"], "shift")}
    assert shifts[str(signed.shift_today.id)]["notes"] == "Bring the blue armband"
    assert shifts[str(signed.shift_tomorrow.id)]["task"] == "Foot patrol"
    assert len(entities(delta["changes"], "assignment")) == 1


async def test_each_role_syncs_its_own_scope(client, signed):
    def assignment_owners(result):
        return {c["data"]["officer_id"] for c in entities(result["changes"], "assignment")}

    officer = await pull_all(client, signed.auth("officer_de"))
    lead = await pull_all(client, signed.auth("lead_de"))
    coordinator = await pull_all(client, signed.auth("coordinator"))
    italian = await pull_all(client, signed.auth("officer_it"))
    assert assignment_owners(officer) == {str(signed.officer_de.id)}
    assert assignment_owners(lead) == {str(signed.officer_de.id)}
    assert assignment_owners(italian) == {str(signed.officer_it.id)}
    assert assignment_owners(coordinator) == set()  # the console plans through the planning API
    # The coordinator's console holds every shift, staffed or not; an officer only those it works.
    assert len(entities(coordinator["changes"], "shift")) == 2
    assert len(entities(officer["changes"], "shift")) == 1
    (me,) = entities(lead["changes"], "me")
    assert me["data"]["role"] == "delegation_lead"


async def test_paged_pull_is_the_same_as_one_page_even_with_writes_in_between(client, signed, db):
    headers = signed.auth("coordinator")
    whole = await pull_all(client, headers)
    cursor, pages, replica = None, 0, {}
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/api/sync", params=params, headers=headers)).json()
        assert len(body["changes"]) <= 1
        apply(replica, body["changes"])
        cursor, pages = body["cursor"], pages + 1
        if pages == 2:
            # A write in the middle of the paged pass: it must come, in this pass or the next one.
            await db.execute(
                update(Shift)
                .where(Shift.id == signed.shift_tomorrow.id)
                .values(notes="moved", version=await transaction_version(db))
            )
            await db.commit()
        if not body["more"]:
            break
    assert pages > 3
    apply(replica, (await pull_all(client, headers, cursor))["changes"])
    expected = apply({}, whole["changes"])
    expected[("shift", str(signed.shift_tomorrow.id))]["notes"] = "moved"
    assert replica == expected


async def test_foreign_or_broken_cursor(client, signed):
    officer = await pull_all(client, signed.auth("officer_de"))
    # Anna's cursor in Giulia's phone: a fresh snapshot for Giulia, marked reset.
    other = await client.get("/api/sync", params={"cursor": officer["cursor"]}, headers=signed.auth("officer_it"))
    assert other.status_code == 200 and other.json()["reset"] is True
    assert {c["data"]["officer_id"] for c in entities(other.json()["changes"], "assignment")} == {
        str(signed.officer_it.id)
    }
    broken = await client.get("/api/sync", params={"cursor": "not-a-cursor"}, headers=signed.auth("officer_it"))
    assert broken.status_code == 422
    assert broken.headers["content-type"].startswith("application/problem+json")
    assert broken.json()["errors"][0]["field"] == "cursor"


async def test_checkin_sent_twice_in_one_batch_counts_once(client, signed):
    headers = signed.auth("officer_de")
    snapshot = await pull_all(client, headers)
    occurred = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    checkin = mutation("shift.checkin", {"assignment_id": str(signed.assignment_de.id)}, occurred)
    batch = {"client_id": str(uuid.uuid4()), "mutations": [checkin, checkin]}
    response = await client.post("/api/sync/mutations", json=batch, headers=headers)
    assert response.status_code == 200, response.text
    assert [(r["id"], r["status"]) for r in response.json()["results"]] == [
        (checkin["id"], "applied"),
        (checkin["id"], "duplicate"),
    ]
    # The whole batch again (the answer was lost on the métro): nothing changes.
    again = await client.post("/api/sync/mutations", json=batch, headers=headers)
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    delta = await pull_all(client, headers, snapshot["cursor"])
    (assignment,) = entities(delta["changes"], "assignment")
    assert assignment["data"]["status"] == "checked_in"
    # When it happened on the phone, not when the server heard of it.
    assert datetime.fromisoformat(assignment["data"]["checked_in_at"]) == occurred


async def test_a_rejected_mutation_says_why_in_the_officers_language_and_does_not_block_the_rest(client, signed):
    headers = signed.auth("officer_de")
    own = {"assignment_id": str(signed.assignment_de.id)}
    batch = [
        mutation("shift.checkout", own),  # not checked in yet
        mutation("parcel.deliver", {}),
        mutation("shift.checkin", own),
        mutation("me.locale", {"locale": "xx-nowhere-1"}),
        mutation("me.locale", {"locale": "it"}),
        mutation("shift.checkout", own),
    ]
    response = await client.post(
        "/api/sync/mutations", json={"client_id": str(uuid.uuid4()), "mutations": batch}, headers=headers
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied", "rejected", "applied", "applied"]
    assert results[0]["reason"] == "not_checked_in"
    # Anna reads German: the reason is given in her language.
    assert results[0]["error"] == "Melden Sie zuerst den Dienstantritt, dann das Dienstende."
    assert results[1]["reason"] == "unknown_mutation" and "shift.checkin" in results[1]["error"]
    assert results[3]["error"]
    me = await client.get("/api/me", headers=headers)
    assert me.json()["locale"] == "it"
    mine = await client.get("/api/me/assignments", headers=headers)
    assert mine.json()[0]["status"] == "checked_out"


async def test_officer_cannot_check_in_for_someone_else_nor_after_unassignment(client, signed, db):
    it = await pull_all(client, signed.auth("officer_it"))
    (their,) = entities(it["changes"], "assignment")
    headers = signed.auth("officer_de")
    assignment = await db.get(Assignment, signed.assignment_de.id)
    assignment.deleted_at = utcnow()
    await db.commit()
    batch = [
        mutation("shift.checkin", {"assignment_id": their["id"]}),
        mutation("shift.checkin", {"assignment_id": str(signed.assignment_de.id)}),
        mutation("shift.checkin", {"assignment_id": "nope"}),
        mutation(
            "shift.checkin", {"assignment_id": str(signed.assignment_de.id)}, datetime.now(UTC) + timedelta(hours=1)
        ),
    ]
    response = await client.post(
        "/api/sync/mutations", json={"client_id": str(uuid.uuid4()), "mutations": batch}, headers=headers
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 4
    assert results[1]["reason"] == "unassigned"
    assert results[2]["reason"] == "validation-error"


async def test_malformed_batches_are_problem_details(client, signed):
    headers = signed.auth("officer_de")
    missing = await client.post("/api/sync/mutations", json={"mutations": []}, headers=headers)
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "client_id"
    naive = mutation("me.locale", {"locale": "fr"})
    naive["occurred_at"] = "2026-01-01T10:00:00"
    response = await client.post(
        "/api/sync/mutations", json={"client_id": str(uuid.uuid4()), "mutations": [naive]}, headers=headers
    )
    assert response.json()["results"][0]["reason"] == "naive_time"


async def test_language_change_resends_everything_worded_in_it(client, signed):
    headers = signed.auth("officer_de")
    first = await pull_all(client, headers)
    assert (await client.patch("/api/me", json={"locale": "it"}, headers=headers)).status_code == 200
    again = (await client.get("/api/sync", params={"cursor": first["cursor"]}, headers=headers)).json()
    # Labels and notices come in the caller's language: the phone must start again from a snapshot.
    assert again["reset"] is True
    (me,) = entities(again["changes"], "me")
    assert me["data"]["locale"] == "it"
    (alert,) = entities(again["changes"], "alert_level")
    rest = (await client.get("/api/alert-level", headers=headers)).json()
    assert alert["data"]["label"] == rest["label"]
