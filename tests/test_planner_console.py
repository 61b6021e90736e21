"""What the planner's screens rely on: a dry run of each candidate's refusal, officers found by language,
every assignment change in the audit log, and roster errors in the coordinator's language."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from liaison.shifts.models import Assignment
from tests.planning_helpers import assign, make_shift, push_jobs

HEADER = "accreditation_id,first_name,last_name,country,email,locale,rank,arrival,departure\n"


async def check(client, world, shift_id, *officer_ids):  # type: ignore[no-untyped-def]
    headers = world.auth("coordinator")
    return await client.post(
        f"/api/shifts/{shift_id}/assignments/check",
        json={"officer_ids": [str(o) for o in officer_ids]},
        headers=headers,
    )


async def live_assignments(db) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(Assignment).where(Assignment.deleted_at.is_(None))
    return (await db.execute(query.execution_options(populate_existing=True))).scalar_one()


async def audit(client, world, **params):  # type: ignore[no-untyped-def]
    response = await client.get("/api/audit", params=params, headers=world.auth("coordinator"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_the_dry_run_tells_each_candidates_refusal_and_writes_nothing(client, signed, db):
    overlapping = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(hours=3), headcount=2)
    before = await live_assignments(db)
    unknown = uuid.uuid4()
    response = await check(client, signed, overlapping["id"], signed.officer_de.id, signed.officer_de2.id, unknown)
    assert response.status_code == 200, response.text
    results = {r["officer_id"]: r for r in response.json()["results"]}
    anna = results[str(signed.officer_de.id)]
    assert (anna["ok"], anna["reason"]) == (False, "overlap")
    assert anna["conflicting_shift_id"] == str(signed.shift_today.id)
    # Worded exactly as the real refusal, in the coordinator's language (French).
    assert "Anna Schmidt travaille déjà" in anna["detail"]
    assert results[str(signed.officer_de2.id)] == {"officer_id": str(signed.officer_de2.id), "ok": True}
    assert results[str(unknown)]["reason"] == "not_found"
    assert await live_assignments(db) == before and await push_jobs(db) == []
    # The real call answers the same.
    refused = await assign(client, signed, overlapping["id"], signed.officer_de.id)
    assert refused.status_code == 409 and refused.json()["detail"] == anna["detail"]


async def test_the_dry_run_reports_full_rest_time_and_stay(client, signed):
    tomorrow = signed.shift_tomorrow
    assert (await assign(client, signed, tomorrow.id, signed.officer_de2.id)).status_code == 201
    assert (await assign(client, signed, tomorrow.id, signed.officer_it.id)).status_code == 201
    full = (await check(client, signed, tomorrow.id, signed.officer_de.id)).json()["results"][0]
    assert full["reason"] == "full"
    short_rest = await make_shift(client, signed, signed.shift_today.ends_at + timedelta(hours=4))
    rest = (await check(client, signed, short_rest["id"], signed.officer_de.id)).json()["results"][0]
    assert rest["reason"] == "rest_time"
    far = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(days=30))
    away = (await check(client, signed, far["id"], signed.officer_de.id)).json()["results"][0]
    assert away["reason"] == "not_available"
    again = (await check(client, signed, signed.shift_today.id, signed.officer_de.id)).json()["results"][0]
    assert again["reason"] == "already_assigned"


async def test_the_dry_run_is_for_coordinators_and_checks_its_input(client, signed):
    body = {"officer_ids": [str(signed.officer_de.id)]}
    for who in ("desk", "lead_de", "officer_de"):
        url = f"/api/shifts/{signed.shift_tomorrow.id}/assignments/check"
        assert (await client.post(url, json=body, headers=signed.auth(who))).status_code == 403
    empty = await client.post(
        f"/api/shifts/{signed.shift_tomorrow.id}/assignments/check",
        json={"officer_ids": []},
        headers=signed.auth("coordinator"),
    )
    assert empty.status_code == 400 and empty.headers["content-type"].startswith("application/problem+json")
    missing = await check(client, signed, uuid.uuid4(), signed.officer_de.id)
    assert missing.status_code == 404


async def test_officers_are_found_by_the_language_they_speak(client, signed):
    germans = await client.get("/api/officers", params={"language": "de"}, headers=signed.auth("coordinator"))
    assert germans.status_code == 200
    names = {o["name"] for o in germans.json()["items"]}
    assert names == {"Anna Schmidt", "Lukas Weber", "Jonas Becker"}
    both = await client.get(
        "/api/officers", params={"language": "it-IT", "country": "IT"}, headers=signed.auth("coordinator")
    )
    assert [o["name"] for o in both.json()["items"]] == ["Giulia Rossi"]
    none = await client.get("/api/officers", params={"language": "pl"}, headers=signed.auth("coordinator"))
    assert none.json()["total"] == 0
    bad = await client.get("/api/officers", params={"language": "d'; --"}, headers=signed.auth("coordinator"))
    assert bad.status_code == 400


async def test_every_assignment_change_is_in_the_audit_log_with_who_did_it(client, signed):
    later = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(days=2), task="VIP escort")
    assigned = await assign(client, signed, signed.shift_tomorrow.id, signed.officer_de2.id)
    assert assigned.status_code == 201
    moved = await client.post(
        f"/api/assignments/{signed.assignment_de.id}/move",
        json={"shift_id": later["id"]},
        headers=signed.auth("coordinator"),
    )
    assert moved.status_code == 200
    removed = await client.delete(f"/api/assignments/{assigned.json()['id']}", headers=signed.auth("coordinator"))
    assert removed.status_code == 204
    bulk = await client.post(
        f"/api/shifts/{later['id']}/assignments/bulk",
        json={"officer_ids": [str(signed.officer_de2.id), str(signed.officer_de.id)]},
        headers=signed.auth("coordinator"),
    )
    assert bulk.json()["assigned"] == 1
    patched = await client.patch(
        f"/api/shifts/{later['id']}", json={"task": "VIP escort, Concorde"}, headers=signed.auth("coordinator")
    )
    assert patched.status_code == 200
    cancelled = await client.delete(f"/api/shifts/{signed.shift_tomorrow.id}", headers=signed.auth("coordinator"))
    assert cancelled.status_code == 204

    entries = await audit(client, signed, limit=20)
    actions = [e["action"] for e in reversed(entries)]
    assert actions == [
        "shift.create",
        "assignment.create",
        "assignment.move",
        "assignment.delete",
        "assignment.bulk",
        "shift.update",
        "shift.cancel",
    ]
    assert {(e["actor_id"], e["actor_role"]) for e in entries} == {(str(signed.coordinator.id), "coordinator")}
    by_action = {e["action"]: e for e in entries}
    move = by_action["assignment.move"]
    assert move["target_id"] == str(signed.assignment_de.id)
    assert move["details"]["before"]["shift_id"] == str(signed.shift_today.id)
    assert move["details"]["after"]["task"] == "VIP escort"
    assert by_action["assignment.create"]["details"]["officer"] == "Lukas Weber"
    assert by_action["assignment.delete"]["details"]["shift_id"] == str(signed.shift_tomorrow.id)
    assert [a["officer_id"] for a in by_action["assignment.bulk"]["details"]["assigned"]] == [
        str(signed.officer_de2.id)
    ]
    update = by_action["shift.update"]["details"]
    assert (update["before"], update["after"]) == ({"task": "VIP escort"}, {"task": "VIP escort, Concorde"})
    assert by_action["shift.cancel"]["details"]["before"]["task"] == "Foot patrol"
    # The family filter finds them all, and a refusal leaves no trace.
    assert len(await audit(client, signed, action="assignment")) == 4
    overlapping = await make_shift(client, signed, signed.shift_today.starts_at + timedelta(hours=1))
    assert (await assign(client, signed, overlapping["id"], signed.officer_it.id)).status_code == 409
    assert len(await audit(client, signed, action="assignment")) == 4


async def test_roster_errors_come_in_the_coordinators_language(client, signed):
    content = (HEADER + "XX-1,Nobody,Known,Narnia,,,,,\nIT-2001,Marco,Bianchi,IT,,it,,31/02/2026,\n").encode()
    files = {"file": ("roster.csv", content, "text/csv")}
    french = await client.post("/api/officers/import", files=files, headers=signed.auth("coordinator"))
    errors = french.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, "country"), (3, "arrival")]
    assert errors[0]["message"] == "pays inconnu « Narnia » : utilisez le code ISO, par ex. DE"
    assert errors[1]["message"].startswith("« 31/02/2026 » n'est pas une date")
    no_columns = await client.post(
        "/api/officers/import",
        files={"file": ("roster.csv", b"name,age\nBob,42\n", "text/csv")},
        headers=signed.auth("coordinator"),
    )
    assert no_columns.status_code == 422
    assert no_columns.json()["detail"].startswith("La ligne d'en-tête n'a pas la ou les colonnes accreditation_id")
    png = await client.post(
        "/api/officers/import",
        files={"file": ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")},
        headers=signed.auth("coordinator"),
    )
    assert png.status_code == 415 and png.json()["detail"] == "Ce n'est pas un fichier CSV ou XLSX."
    # The same coordinator switched to German reads German.
    switched = await client.patch("/api/me", json={"locale": "de"}, headers=signed.auth("coordinator"))
    assert switched.status_code == 200
    german = await client.post("/api/officers/import", files=files, headers=signed.auth("coordinator"))
    assert german.json()["errors"][0]["message"] == "unbekanntes Land „Narnia“: verwenden Sie den ISO-Code, z. B. DE"
