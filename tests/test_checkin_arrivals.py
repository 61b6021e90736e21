"""The arrivals dashboard: who was expected, who came, who is late — per country and per day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update

from liaison.checkin.arrivals import paris_today
from liaison.checkin.tokens import PARIS
from liaison.officers.models import User
from tests.checkin_helpers import expect


async def _arrange(db, signed):  # type: ignore[no-untyped-def]
    """Jonas (DE lead) came five days ago, Lukas (DE) was due yesterday and is missing, Anna (DE) and
    Giulia (IT) are due today; Anna is checked in at the desk, Giulia not yet."""
    today = paris_today()
    came = datetime.combine(today - timedelta(days=5), time(10, 0), tzinfo=PARIS).astimezone(UTC)
    await db.execute(
        update(User).where(User.id == signed.lead_de.id).values(arrival=today - timedelta(days=5), arrived_at=came)
    )
    await db.commit()
    await expect(db, signed.officer_de2, arrival=today - timedelta(days=1))
    await expect(db, signed.officer_de, signed.officer_it, arrival=today)
    return today


async def test_coordinator_sees_expected_arrived_and_late_per_country_and_day(client, signed, db):
    today = await _arrange(db, signed)
    checked = await client.post("/api/checkins", json={"accreditation_id": "P24-DE-0002"}, headers=signed.auth("desk"))
    assert checked.json()["result"] == "checked_in"

    response = await client.get("/api/arrivals", headers=signed.auth("coordinator"))
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["day"] == today.isoformat() and board["timezone"] == "Europe/Paris"
    totals = board["totals"]
    assert (totals["officers"], totals["expected"], totals["arrived"]) == (4, 2, 1)
    assert (totals["expected_by_day"], totals["arrived_by_day"], totals["late"]) == (4, 2, 1)

    by_country = {c["country"]: c for c in board["by_country"]}
    assert by_country["DE"]["name"] == "Allemagne"  # the coordinator reads French
    assert [by_country["DE"][k] for k in ("officers", "expected", "arrived", "late")] == [3, 1, 1, 1]
    assert [by_country["IT"][k] for k in ("officers", "expected", "arrived", "late")] == [1, 1, 0, 0]

    days = {d["day"]: d for d in board["by_day"]}
    assert len(board["by_day"]) == 6  # every day from the first planned arrival to today, gaps included
    assert (days[str(today - timedelta(days=5))]["expected"], days[str(today - timedelta(days=5))]["arrived"]) == (1, 1)
    assert days[str(today - timedelta(days=3))] == {
        "day": str(today - timedelta(days=3)),
        "expected": 0,
        "arrived": 0,
        "by_country": {},
    }
    assert days[str(today - timedelta(days=1))]["by_country"] == {"DE": [1, 0]}
    assert days[str(today)]["by_country"] == {"DE": [1, 1], "IT": [1, 0]}

    (late,) = board["late"]
    assert (late["name"], late["days_late"], late["planned_arrival"]) == (
        "Lukas Weber",
        1,
        str(today - timedelta(days=1)),
    )
    assert board["late_total"] == 1


async def test_a_past_day_shows_who_was_late_then(client, signed, db):
    today = await _arrange(db, signed)
    yesterday = today - timedelta(days=1)
    response = await client.get("/api/arrivals", params={"day": str(yesterday)}, headers=signed.auth("coordinator"))
    totals = response.json()["totals"]
    # Yesterday only Lukas was due (and did not come); nobody was overdue yet.
    assert (totals["expected"], totals["arrived"], totals["late"]) == (1, 0, 0)
    tomorrow = await client.get(
        "/api/arrivals", params={"day": str(today + timedelta(days=1))}, headers=signed.auth("coordinator")
    )
    assert [o["name"] for o in tomorrow.json()["late"]] == ["Lukas Weber", "Anna Schmidt", "Giulia Rossi"]


async def test_delegation_lead_sees_its_own_country_only(client, signed, db):
    await _arrange(db, signed)
    mine = await client.get("/api/arrivals", headers=signed.auth("lead_de"))
    assert mine.status_code == 200
    assert [c["country"] for c in mine.json()["by_country"]] == ["DE"]
    assert mine.json()["totals"]["officers"] == 3 and mine.json()["country"] == "DE"
    assert [o["country"] for o in mine.json()["late"]] == ["DE"]
    other = await client.get("/api/arrivals", params={"country": "IT"}, headers=signed.auth("lead_de"))
    assert other.status_code == 403


async def test_officers_and_desks_do_not_see_the_dashboard(client, signed):
    assert (await client.get("/api/arrivals", headers=signed.auth("officer_de"))).status_code == 403
    assert (await client.get("/api/arrivals", headers=signed.auth("desk"))).status_code == 403
    bad = await client.get("/api/arrivals", params={"day": "not-a-day"}, headers=signed.auth("coordinator"))
    assert bad.status_code == 400
