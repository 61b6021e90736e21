"""An officer subscribes their phone's calendar to their shifts: a secret, revocable RFC 5545 feed."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.planning_helpers import iso

PARIS = ZoneInfo("Europe/Paris")


async def feed_path(client, world, who: str = "officer_de") -> str:  # type: ignore[no-untyped-def]
    response = await client.get("/api/me/calendar", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return urlsplit(response.json()["url"]).path


async def fetch(client, path: str) -> Calendar:  # type: ignore[no-untyped-def]
    response = await client.get(path)  # no Authorization: calendar apps have only the address
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> list:  # type: ignore[type-arg]
    return list(cal.walk("VEVENT"))


async def test_the_feed_parses_and_shows_the_shift_in_paris_time(client, signed):
    cal = await fetch(client, await feed_path(client, signed))
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    (event,) = events(cal)
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Paris"
    assert start == signed.shift_today.starts_at.astimezone(PARIS)
    assert event.decoded("DTEND") == signed.shift_today.ends_at
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(event["STATUS"]) == "CONFIRMED"
    # Anna reads German: task and venue, then the French contact and the meeting point.
    assert str(event["SUMMARY"]) == "Spectator entrance liaison, Einsatzort: Stade de France"
    assert str(event["LOCATION"]) == "Stade de France, ZAC du Cornillon Nord, Saint-Denis"
    latitude, longitude = event.decoded("GEO")
    assert (round(latitude, 5), round(longitude, 4)) == (48.92442, 2.3602)
    description = str(event["DESCRIPTION"])
    assert "Französischer Ansprechpartner: Commandant Claire Moreau, +33 1 53 71 00 11" in description
    assert "Treffpunkt: Porte X" in description


async def test_the_address_is_stable_until_revoked(client, signed):
    first = await feed_path(client, signed)
    assert await feed_path(client, signed) == first
    rotated = await client.delete("/api/me/calendar", headers=signed.auth("officer_de"))
    assert rotated.status_code == 200
    new = urlsplit(rotated.json()["url"]).path
    assert new != first
    assert (await client.get(first)).status_code == 404
    assert len(events(await fetch(client, new))) == 1
    assert (await client.get("/api/calendar/not-a-secret.ics")).status_code == 404


async def test_a_changed_shift_keeps_its_uid_and_gets_a_higher_sequence(client, signed):
    path = await feed_path(client, signed)
    (before,) = events(await fetch(client, path))
    later = signed.shift_today.starts_at + timedelta(hours=2)
    patched = await client.patch(
        f"/api/shifts/{signed.shift_today.id}",
        json={"starts_at": iso(later), "ends_at": iso(later + timedelta(hours=8))},
        headers=signed.auth("coordinator"),
    )
    assert patched.status_code == 200
    (after,) = events(await fetch(client, path))
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == later


async def test_an_unassigned_shift_stays_in_the_feed_as_cancelled(client, signed):
    path = await feed_path(client, signed)
    (before,) = events(await fetch(client, path))
    removed = await client.delete(f"/api/assignments/{signed.assignment_de.id}", headers=signed.auth("coordinator"))
    assert removed.status_code == 204
    (after,) = events(await fetch(client, path))
    assert str(after["UID"]) == str(before["UID"])
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["SUMMARY"]).startswith("Abgesagt: ")
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


async def test_a_cancelled_shift_is_cancelled_in_every_officers_feed(client, signed):
    path_it = await feed_path(client, signed, "officer_it")
    await client.delete(f"/api/shifts/{signed.shift_today.id}", headers=signed.auth("coordinator"))
    (event,) = events(await fetch(client, path_it))
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Annullato: ")  # Giulia reads Italian


async def test_one_shift_can_be_added_to_a_calendar_on_its_own(client, signed):
    response = await client.get(f"/api/me/calendar/{signed.assignment_de.id}", headers=signed.auth("officer_de"))
    assert response.status_code == 200
    (event,) = events(Calendar.from_ical(response.content))
    assert str(event["UID"]).startswith(f"assignment-{signed.assignment_de.id}")
    others = await client.get(f"/api/me/calendar/{signed.assignment_de.id}", headers=signed.auth("officer_it"))
    assert others.status_code == 404
