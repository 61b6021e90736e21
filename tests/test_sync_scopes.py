"""What each role's device syncs: a delegation lead its own country's people, a coordinator's console what it
manages (the plan, the notices, the alert level; not the whole force's people and assignments), a desk its
check-ins, and deletes when someone leaves a lead's scope."""

from __future__ import annotations

from datetime import date, timedelta

from liaison.officers.models import User
from tests.sync_helpers import entities, mutation, pull_all


def _ids(result: dict, entity: str, op: str = "upsert") -> set[str]:
    return {c["id"] for c in entities(result["changes"], entity, op)}


async def _notice(client, signed, audience: dict, title: str) -> str:  # type: ignore[no-untyped-def]
    sent = await client.post(
        "/api/notices",
        headers=signed.auth("coordinator"),
        json={
            "audience": audience,
            "priority": "important",
            "requires_ack": True,
            "content": {"en": {"title": title, "body": "Gate B."}, "fr": {"title": f"FR {title}", "body": "Porte B."}},
        },
    )
    assert sent.status_code == 201, sent.text
    return str(sent.json()["id"])


async def test_delegation_lead_syncs_its_countrys_officers_and_never_another_countrys(client, signed):
    lead = await pull_all(client, signed.auth("lead_de"))
    officers = entities(lead["changes"], "officer")
    assert {o["data"]["country"] for o in officers} == {"DE"}
    assert _ids(lead, "officer") == {str(signed.lead_de.id), str(signed.officer_de.id), str(signed.officer_de2.id)}
    (anna,) = [o["data"] for o in officers if o["id"] == str(signed.officer_de.id)]
    rest = await client.get("/api/officers", params={"q": "P24-DE-0002"}, headers=signed.auth("lead_de"))
    assert rest.json()["items"] == [anna]  # the same record the officers list gives the lead
    # Nothing of the Italian officer: not the person, not the assignment on the shared shift.
    everything = str(lead["changes"])
    assert str(signed.officer_it.id) not in everything and "Rossi" not in everything
    # Officers keep no list of colleagues.
    assert entities((await pull_all(client, signed.auth("officer_de")))["changes"], "officer") == []


async def test_coordinators_console_syncs_every_shift_every_notice_the_alert_level_and_venues(client, signed):
    to_germans = await _notice(client, signed, {"countries": ["DE"]}, "Germans: report at gate B")
    console = await pull_all(client, signed.auth("coordinator"))
    assert _ids(console, "shift") == {str(signed.shift_today.id), str(signed.shift_tomorrow.id)}
    # People and assignments stay on the server: at the whole force's scale they are hundreds of thousands of
    # rows, and the console searches and plans through the officers and planning APIs.
    assert entities(console["changes"], "officer") == entities(console["changes"], "assignment") == []
    (notice,) = entities(console["changes"], "notice")
    # The console's view of a notice: who it went to and every language, as GET /api/notices/{id} gives it.
    assert notice["id"] == to_germans and notice["data"]["audience"] == {"countries": ["DE"]}
    assert set(notice["data"]["content"]) == {"en", "fr"} and notice["data"]["lang"] == "fr"
    assert len(entities(console["changes"], "alert_level")) == 1
    assert _ids(console, "venue") == {str(signed.venue.id)}
    # The Italian officer was not in the audience and gets nothing of it.
    italian = await pull_all(client, signed.auth("officer_it"))
    assert entities(italian["changes"], "notice") == []


async def test_a_cancelled_notice_reaches_the_console_with_its_new_status(client, signed):
    notice_id = await _notice(client, signed, {"all": True}, "Shuttle timetable")
    console = await pull_all(client, signed.auth("coordinator"))
    assert notice_id in _ids(console, "notice")
    cancelled = await client.post(
        f"/api/notices/{notice_id}/cancel", headers=signed.auth("coordinator"), json={"reason": "Timetable moved"}
    )
    assert cancelled.status_code == 200, cancelled.text
    delta = await pull_all(client, signed.auth("coordinator"), console["cursor"])
    (changed,) = [c for c in delta["changes"] if c["entity"] == "notice"]
    assert changed["id"] == notice_id and changed["data"]["status"] == "cancelled"
    assert changed["data"]["cancel_reason"] == "Timetable moved"


async def test_an_officer_moved_to_another_country_leaves_the_former_leads_device(client, signed, db):
    lead_headers = signed.auth("lead_de")
    before = await pull_all(client, lead_headers)
    assert str(signed.officer_de.id) in _ids(before, "officer")
    assert str(signed.assignment_de.id) in _ids(before, "assignment")
    assert str(signed.shift_today.id) in _ids(before, "shift")

    today = date.today()
    arrival, departure = today - timedelta(days=5), today + timedelta(days=20)
    roster = (
        "accreditation_id,first_name,last_name,country,email,locale,rank,arrival,departure\n"
        f"P24-DE-0002,Anna,Schmidt,FR,,de,,{arrival},{departure}\n"
    )
    imported = await client.post(
        "/api/officers/import",
        files={"file": ("roster.csv", roster.encode(), "text/csv")},
        headers=signed.auth("coordinator"),
    )
    assert imported.status_code == 200 and imported.json()["updated"] == 1, imported.text

    after = await pull_all(client, lead_headers, before["cursor"])
    assert str(signed.officer_de.id) in _ids(after, "officer", "delete")
    assert str(signed.assignment_de.id) in _ids(after, "assignment", "delete")
    # No other German works that shift: it goes too. The Italian colleague's data never came.
    assert str(signed.shift_today.id) in _ids(after, "shift", "delete")
    assert _ids(after, "officer") == set()
    # The officers list shows the move as an update, not a loss.
    moved = await client.get("/api/officers", params={"q": "P24-DE-0002"}, headers=signed.auth("coordinator"))
    assert [o["country"] for o in moved.json()["items"]] == ["FR"]
    # A fresh snapshot of the lead agrees with the replica the deltas built.
    fresh = await pull_all(client, lead_headers)
    assert str(signed.officer_de.id) not in _ids(fresh, "officer")


async def test_a_desk_syncs_check_ins_and_no_plan(client, signed):
    desk = await pull_all(client, signed.auth("desk"))
    kinds = {c["entity"] for c in desk["changes"]}
    assert {"me", "venue", "alert_level"} <= kinds
    assert not kinds & {"assignment", "shift", "officer"}
    scanned = await client.post("/api/checkins", json={"accreditation_id": "P24-DE-0002"}, headers=signed.auth("desk"))
    assert scanned.status_code == 200, scanned.text
    delta = await pull_all(client, signed.auth("desk"), desk["cursor"])
    assert [c["data"]["officer_id"] for c in entities(delta["changes"], "checkin")] == [str(signed.officer_de.id)]


async def test_an_officer_removed_reaches_the_lead_as_a_delete(client, signed, db):
    before = await pull_all(client, signed.auth("lead_de"))
    lukas = await db.get(User, signed.officer_de2.id)
    lukas.soft_delete()
    await db.commit()
    after = await pull_all(client, signed.auth("lead_de"), before["cursor"])
    assert _ids(after, "officer", "delete") == {str(signed.officer_de2.id)}


async def test_briefing_acknowledged_offline_with_the_id_the_phone_sends(client, signed):
    sent = await client.post(
        "/api/briefings",
        headers=signed.auth("coordinator"),
        json={
            "audience": {"officers": [str(signed.officer_de.id)]},
            "priority": "info",
            "requires_ack": True,
            "content": {"de": {"title": "Einsatzbesprechung", "body": "Treffpunkt Tor X."}},
        },
    )
    assert sent.status_code == 201, sent.text
    briefing_id = sent.json()["id"]
    ack = mutation("briefing.ack", {"briefing_id": briefing_id})
    pushed = await client.post(
        "/api/sync/mutations",
        headers=signed.auth("officer_de"),
        json={"client_id": "phone-1", "mutations": [ack, ack]},
    )
    assert [r["status"] for r in pushed.json()["results"]] == ["applied", "duplicate"], pushed.text
    counts = await client.get(f"/api/briefings/{briefing_id}/acknowledgements", headers=signed.auth("coordinator"))
    assert counts.json()["acknowledged"] == 1
