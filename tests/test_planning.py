"""Coordinators plan shifts: the planner refuses the mistakes, and every change reaches the officer."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from liaison.auth.principal import Principal
from liaison.database import make_engine, make_sessionmaker
from liaison.push.models import PushJob
from liaison.shifts import planning
from liaison.shifts.models import Assignment
from tests.planning_helpers import assign, iso, make_shift, push_jobs, tombstones


async def test_coordinator_creates_a_shift_and_sees_it_listed_with_its_assigned_count(client, signed):
    start = signed.shift_today.starts_at + timedelta(days=3)
    created = await make_shift(client, signed, start, headcount=4)
    assert created["assigned"] == 0 and created["headcount"] == 4
    listed = await client.get(
        "/api/shifts",
        params={"venue": str(signed.venue.id), "from": iso(signed.shift_today.starts_at), "to": iso(start)},
        headers=signed.auth("coordinator"),
    )
    body = listed.json()
    assert body["total"] == 2  # today's shift and tomorrow's; the new one starts exactly at `to`
    today = next(s for s in body["items"] if s["id"] == str(signed.shift_today.id))
    assert today["assigned"] == 2 and today["venue"]["name"] == "Stade de France"


async def test_an_overlapping_assignment_is_refused_with_reason_overlap(client, signed):
    overlapping = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(hours=4))
    response = await assign(client, signed, overlapping["id"], signed.officer_de.id)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["reason"] == "overlap"
    assert body["conflicting_shift_id"] == str(signed.shift_today.id)


async def test_too_little_rest_between_two_shifts_is_refused_with_reason_rest_time(client, signed):
    after_five_hours = await make_shift(client, signed, signed.shift_today.ends_at + timedelta(hours=5))
    refused = await assign(client, signed, after_five_hours["id"], signed.officer_de.id)
    assert refused.status_code == 409 and refused.json()["reason"] == "rest_time"
    after_eleven_hours = await make_shift(client, signed, signed.shift_today.ends_at + timedelta(hours=11))
    accepted = await assign(client, signed, after_eleven_hours["id"], signed.officer_de.id)
    assert accepted.status_code == 201, accepted.text


async def test_a_shift_outside_the_officers_stay_is_refused_with_reason_not_available(client, signed):
    after_departure = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(days=30))
    response = await assign(client, signed, after_departure["id"], signed.officer_de2.id)
    assert response.status_code == 409 and response.json()["reason"] == "not_available"


async def test_a_full_shift_is_refused_with_reason_full(client, signed):
    tomorrow = signed.shift_tomorrow.id  # headcount 2
    assert (await assign(client, signed, tomorrow, signed.officer_de.id)).status_code == 201
    assert (await assign(client, signed, tomorrow, signed.officer_it.id)).status_code == 201
    third = await assign(client, signed, tomorrow, signed.officer_de2.id)
    assert third.status_code == 409 and third.json()["reason"] == "full"
    again = await assign(client, signed, tomorrow, signed.officer_de.id)
    assert again.json()["reason"] == "already_assigned"


async def test_a_refusal_is_explained_in_the_coordinators_language(client, signed):
    overlapping = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(hours=1))
    response = await assign(client, signed, overlapping["id"], signed.officer_de.id)
    # The coordinator's account is in French.
    assert "Anna Schmidt travaille déjà" in response.json()["detail"]


async def test_the_assignment_and_its_push_are_written_together(client, signed, db):
    response = await assign(client, signed, signed.shift_tomorrow.id, signed.officer_de2.id)
    assert response.status_code == 201
    (job,) = await push_jobs(db)
    assert job.ref_id == response.json()["id"]
    assert job.user_ids == [str(signed.officer_de2.id)] and job.urgency == "high"
    assert job.params["change"] == "assigned" and job.params["before"] is None
    assert job.params["after"]["task"] == "Foot patrol"
    assert job.params["after"]["venue"] == "Stade de France"
    assert job.params["after"]["starts_at"] == signed.shift_tomorrow.starts_at.isoformat()


async def test_a_failed_commit_leaves_neither_the_assignment_nor_its_push(app, signed, db):
    coordinator = Principal(
        user_id=signed.coordinator.id, device_id=uuid.uuid4(), role="coordinator", country=None, locale="fr", name="I"
    )
    engine = make_engine(app.state.settings)
    async with make_sessionmaker(engine)() as session:

        async def crash() -> None:
            raise ConnectionError("the database went away at commit")

        session.commit = crash  # type: ignore[method-assign]
        with pytest.raises(ConnectionError):
            await planning.assign(
                session, coordinator, "en", timedelta(hours=11), signed.shift_tomorrow.id, signed.officer_de2.id
            )
        await session.rollback()
    await engine.dispose()
    assert await push_jobs(db) == []
    count = select(func.count()).select_from(Assignment).where(Assignment.shift_id == signed.shift_tomorrow.id)
    assert (await db.execute(count)).scalar_one() == 0


async def test_bulk_assignment_gives_each_officer_a_result(client, signed, db):
    unknown = uuid.uuid4()
    officers = [signed.officer_de.id, signed.officer_it.id, signed.officer_de2.id, unknown]
    response = await client.post(
        f"/api/shifts/{signed.shift_tomorrow.id}/assignments/bulk",
        json={"officer_ids": [str(o) for o in officers]},
        headers=signed.auth("coordinator"),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["assigned"], body["refused"]) == (2, 2)
    outcome = {r["officer_id"]: (r["status"], r.get("reason")) for r in body["results"]}
    assert outcome == {
        str(signed.officer_de.id): ("assigned", None),
        str(signed.officer_it.id): ("assigned", None),
        str(signed.officer_de2.id): ("refused", "full"),
        str(unknown): ("refused", "not_found"),
    }
    assert len(await push_jobs(db)) == 2


async def test_moving_an_officer_is_one_change_with_old_and_new(client, signed, db):
    later = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(days=2), task="VIP escort")
    response = await client.post(
        f"/api/assignments/{signed.assignment_de.id}/move",
        json={"shift_id": later["id"]},
        headers=signed.auth("coordinator"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(signed.assignment_de.id)
    assert response.json()["shift_id"] == later["id"]
    (job,) = await push_jobs(db)
    assert job.params["change"] == "moved"
    assert job.params["before"]["shift_id"] == str(signed.shift_today.id)
    assert job.params["after"]["task"] == "VIP escort"
    (tombstone,) = await tombstones(db)
    assert (tombstone.entity, tombstone.entity_id) == ("shift", str(signed.shift_today.id))
    mine = await client.get("/api/me/assignments", headers=signed.auth("officer_de"))
    assert [a["shift"]["id"] for a in mine.json()] == [later["id"]]


async def test_a_move_that_would_break_a_rule_is_refused_and_changes_nothing(client, signed, db):
    overlapping_it = await make_shift(client, signed, signed.shift_tomorrow.starts_at, headcount=1)
    assert (await assign(client, signed, overlapping_it["id"], signed.officer_it.id)).status_code == 201
    response = await client.post(
        f"/api/assignments/{signed.assignment_de.id}/move",
        json={"shift_id": overlapping_it["id"]},
        headers=signed.auth("coordinator"),
    )
    assert response.status_code == 409 and response.json()["reason"] == "full"
    assert [j.params["change"] for j in await push_jobs(db)] == ["assigned"]


async def test_unassigning_tells_the_officer_and_removes_the_shift_from_their_day(client, signed, db):
    response = await client.delete(f"/api/assignments/{signed.assignment_de.id}", headers=signed.auth("coordinator"))
    assert response.status_code == 204
    (job,) = await push_jobs(db)
    assert job.params["change"] == "unassigned" and job.params["after"] is None
    assert job.params["before"]["shift_id"] == str(signed.shift_today.id)
    assert (await client.get("/api/me/assignments", headers=signed.auth("officer_de"))).json() == []
    row = await db.get(Assignment, signed.assignment_de.id, populate_existing=True)
    assert row is not None and row.deleted_at is not None  # kept as a tombstone for sync
    again = await client.delete(f"/api/assignments/{signed.assignment_de.id}", headers=signed.auth("coordinator"))
    assert again.status_code == 404


async def test_moving_a_shift_tells_every_assigned_officer_old_and_new_times(client, signed, db):
    new_start = signed.shift_today.starts_at + timedelta(hours=1)
    response = await client.patch(
        f"/api/shifts/{signed.shift_today.id}",
        json={"starts_at": iso(new_start), "ends_at": iso(new_start + timedelta(hours=8))},
        headers=signed.auth("coordinator"),
    )
    assert response.status_code == 200, response.text
    jobs = await push_jobs(db)
    assert sorted(j.user_ids[0] for j in jobs) == sorted([str(signed.officer_de.id), str(signed.officer_it.id)])
    for job in jobs:
        assert job.params["change"] == "updated"
        assert job.params["before"]["starts_at"] == signed.shift_today.starts_at.isoformat()
        assert job.params["after"]["starts_at"] == new_start.isoformat()
    notes_only = await client.patch(
        f"/api/shifts/{signed.shift_today.id}", json={"notes": "Bring the radio"}, headers=signed.auth("coordinator")
    )
    assert notes_only.status_code == 200 and len(await push_jobs(db)) == 2


async def test_a_shift_edit_that_breaks_an_assigned_officers_rest_is_refused(client, signed):
    tomorrow = await assign(client, signed, signed.shift_tomorrow.id, signed.officer_de.id)
    assert tomorrow.status_code == 201
    # Moving today's shift to end 6 h before tomorrow's leaves Anna too little rest.
    shorter = await client.patch(
        f"/api/shifts/{signed.shift_today.id}",
        json={
            "starts_at": iso(signed.shift_tomorrow.starts_at - timedelta(hours=14)),
            "ends_at": iso(signed.shift_tomorrow.starts_at - timedelta(hours=6)),
        },
        headers=signed.auth("coordinator"),
    )
    assert shorter.status_code == 409
    body = shorter.json()
    assert body["reason"] == "rest_time"
    assert [c["officer_id"] for c in body["conflicts"]] == [str(signed.officer_de.id)]
    lower = await client.patch(
        f"/api/shifts/{signed.shift_today.id}", json={"headcount": 1}, headers=signed.auth("coordinator")
    )
    assert lower.status_code == 409 and lower.json()["reason"] == "full"


async def test_cancelling_a_shift_cancels_its_assignments_and_tells_the_officers(client, signed, db):
    response = await client.delete(f"/api/shifts/{signed.shift_today.id}", headers=signed.auth("coordinator"))
    assert response.status_code == 204
    jobs = await push_jobs(db)
    assert {j.params["change"] for j in jobs} == {"unassigned"} and len(jobs) == 2
    assert (
        await client.get(f"/api/shifts/{signed.shift_today.id}", headers=signed.auth("coordinator"))
    ).status_code == 404
    assert (await client.get("/api/me/assignments", headers=signed.auth("officer_it"))).json() == []
    live = select(func.count()).select_from(Assignment).where(Assignment.deleted_at.is_(None))
    assert (await db.execute(live)).scalar_one() == 0


async def test_only_coordinators_plan_and_a_delegation_lead_reads_its_own_country(client, signed):
    shift = {
        "venue_id": str(signed.venue.id),
        "starts_at": iso(signed.shift_today.starts_at),
        "ends_at": iso(signed.shift_today.ends_at),
        "task": "x",
    }
    for who in ("officer_de", "desk", "lead_de"):
        assert (await client.post("/api/shifts", json=shift, headers=signed.auth(who))).status_code == 403
    lead_view = await client.get("/api/assignments", headers=signed.auth("lead_de"))
    assert lead_view.status_code == 200
    assert {a["country"] for a in lead_view.json()["items"]} == {"DE"}
    officer_view = await client.get("/api/assignments", headers=signed.auth("officer_de"))
    assert officer_view.status_code == 403
    desk_assign = await client.post(
        f"/api/shifts/{signed.shift_tomorrow.id}/assignments",
        json={"officer_id": str(signed.officer_it.id)},
        headers=signed.auth("desk"),
    )
    assert desk_assign.status_code == 403


async def test_bad_shift_input_is_a_problem_not_a_crash(client, signed):
    naive = await client.post(
        "/api/shifts",
        json={
            "venue_id": str(signed.venue.id),
            "starts_at": "2026-07-26T08:00:00",
            "ends_at": "2026-07-26T16:00:00",
            "task": "Patrol",
        },
        headers=signed.auth("coordinator"),
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "starts_at"
    backwards = await client.post(
        "/api/shifts",
        json={
            "venue_id": str(signed.venue.id),
            "starts_at": "2026-07-26T16:00:00+02:00",
            "ends_at": "2026-07-26T08:00:00+02:00",
            "task": "Patrol",
        },
        headers=signed.auth("coordinator"),
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "ends_at"
    unknown_venue = await client.post(
        "/api/shifts",
        json={
            "venue_id": str(uuid.uuid4()),
            "starts_at": "2026-07-26T08:00:00+02:00",
            "ends_at": "2026-07-26T16:00:00+02:00",
            "task": "Patrol",
        },
        headers=signed.auth("coordinator"),
    )
    assert unknown_venue.status_code == 422
    missing = await assign(client, signed, uuid.uuid4(), signed.officer_de.id)
    assert missing.status_code == 404


async def test_coverage_shows_missing_officers_and_missing_languages_per_hour(client, signed):
    start = signed.shift_today.starts_at
    response = await client.get(
        "/api/coverage",
        params={
            "venue": str(signed.venue.id),
            "from": iso(start - timedelta(hours=1)),
            "to": iso(start + timedelta(hours=9)),
        },
        headers=signed.auth("coordinator"),
    )
    assert response.status_code == 200, response.text
    (venue,) = response.json()["venues"]
    assert venue["expected_languages"] == ["fr", "en", "de"]
    before, first = venue["hours"][0], venue["hours"][1]
    assert (before["needed"], before["planned"], before["gap"]) == (0, 0, False)
    # Today's shift wants 3; Anna (de) and Giulia (it) are on it.
    assert (first["needed"], first["planned"], first["short"]) == (3, 2, 1)
    assert first["languages"] == {"de": 1, "it": 1}
    assert first["missing_languages"] == ["fr", "en"] and first["gap"] is True
    assert venue["gaps"] == 8
    too_long = await client.get(
        "/api/coverage",
        params={"venue": str(signed.venue.id), "from": iso(start), "to": iso(start + timedelta(days=40))},
        headers=signed.auth("coordinator"),
    )
    assert too_long.status_code == 422


async def test_pushes_are_counted_once_per_change(client, signed, db):
    total = select(func.count()).select_from(PushJob)
    assert (await db.execute(total)).scalar_one() == 0
    await assign(client, signed, signed.shift_tomorrow.id, signed.officer_de2.id)
    assert (await db.execute(total)).scalar_one() == 1
