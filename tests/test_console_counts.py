"""What the coordinators' console asks before acting: who a notice would reach, who an alert change reaches."""

from __future__ import annotations

import uuid

from liaison.notices.models import Notice
from liaison.push.models import PushJob
from tests.notice_helpers import count
from tests.push_helpers import Subscriber


async def preview(client, signed, body, who="coordinator", path="/api/notices/audience"):  # type: ignore[no-untyped-def]
    return await client.post(path, json=body, headers=signed.auth(who))


async def test_composer_counts_a_country_audience_per_country_and_language_without_sending(client, signed, db):
    response = await preview(client, signed, {"audience": {"countries": ["DE"]}})
    assert response.status_code == 200, response.text
    # The lead and two officers of DE, all reading German.
    assert response.json() == {"total": 3, "by_country": {"DE": 3}, "by_language": {"de": 3}}

    everyone = (await preview(client, signed, {"audience": {"all": True}})).json()
    assert everyone == {"total": 4, "by_country": {"DE": 3, "IT": 1}, "by_language": {"de": 3, "it": 1}}

    # Counting told nobody and wrote nothing.
    assert await count(db, Notice) == 0
    assert await count(db, PushJob) == 0


async def test_the_count_follows_people_venues_windows_and_briefing_attachments(client, signed):
    people = {"audience": {"officers": [str(signed.officer_it.id), str(signed.officer_de2.id)]}}
    assert (await preview(client, signed, people)).json()["by_country"] == {"DE": 1, "IT": 1}

    # Anna (DE) and Giulia (IT) work at the stadium in the next 24 hours; in 2099 nobody does.
    venue = {"audience": {"venues": [str(signed.venue.id)]}}
    assert (await preview(client, signed, venue)).json()["total"] == 2
    later = {"from": "2099-01-01T00:00:00+00:00", "to": "2099-01-02T00:00:00+00:00"}
    empty = await preview(client, signed, {"audience": {"venues": [str(signed.venue.id)], "window": later}})
    assert empty.status_code == 200 and empty.json() == {"total": 0, "by_country": {}, "by_language": {}}

    # A briefing tied to a shift goes to that shift's people, counted the same way under /api/briefings.
    shift = await preview(client, signed, {"shift_id": str(signed.shift_today.id)}, path="/api/briefings/audience")
    assert shift.status_code == 200, shift.text
    assert shift.json()["total"] == 2


async def test_a_bad_audience_is_refused_with_the_field_named(client, signed):
    cases = [
        ({"audience": {"countries": ["ZZ"]}}, "audience.countries"),
        ({"audience": {"officers": [str(uuid.uuid4())]}}, "audience.officers"),
        ({"audience": {}}, "audience"),
        ({}, "audience"),
        ({"audience": {"venues": [str(signed.venue.id)], "window": {"from": "2024-07-27T10:00:00"}}}, None),
    ]
    for body, field in cases:
        response = await preview(client, signed, body)
        assert response.status_code in (400, 422), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if field:
            assert field in [e["field"] for e in response.json()["errors"]], response.json()


async def test_only_coordinators_may_count_an_audience(client, signed):
    for who in ("officer_de", "lead_de", "desk"):
        response = await preview(client, signed, {"audience": {"all": True}}, who=who)
        assert response.status_code == 403, who


async def test_before_an_alert_change_the_console_learns_how_many_people_and_phones_it_reaches(client, signed):
    reach = await client.get("/api/alert-level/reach", headers=signed.auth("coordinator"))
    assert reach.status_code == 200, reach.text
    # Four officers and leads; two phones enrolled (Anna's and Giulia's); no push subscription yet.
    assert reach.json() == {"people": 4, "phones": 2, "push_subscriptions": 0}

    phone = Subscriber("anna")
    subscribed = await client.post(
        "/api/push/subscriptions",
        json=phone.subscription("https://fcm.googleapis.com"),
        headers=signed.auth("officer_de"),
    )
    assert subscribed.status_code == 201, subscribed.text
    revoked = await client.post("/api/auth/logout", headers=signed.auth("officer_it"))
    assert revoked.status_code in (200, 204), revoked.text

    reach = (await client.get("/api/alert-level/reach", headers=signed.auth("coordinator"))).json()
    assert reach == {"people": 4, "phones": 1, "push_subscriptions": 1}
    assert (await client.get("/api/alert-level/reach", headers=signed.auth("officer_de"))).status_code == 403
