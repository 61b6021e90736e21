"""Who may see which officers, countries and assignments."""

from __future__ import annotations


async def test_officer_sees_only_own_assignments(client, signed):
    response = await client.get("/api/me/assignments", headers=signed.auth("officer_de"))
    assert response.status_code == 200
    (assignment,) = response.json()
    assert assignment["officer_id"] == str(signed.officer_de.id)
    shift = assignment["shift"]
    assert shift["task"] == "Spectator entrance liaison"
    assert shift["venue"]["name"] == "Stade de France"
    assert shift["starts_at"].endswith("Z") or "+00:00" in shift["starts_at"]


async def test_assignments_window_filters_by_time(client, signed):
    far = "2099-01-01T00:00:00+00:00"
    response = await client.get("/api/me/assignments", params={"from": far}, headers=signed.auth("officer_de"))
    assert response.json() == []
    naive = await client.get(
        "/api/me/assignments", params={"from": "2026-01-01T00:00:00"}, headers=signed.auth("officer_de")
    )
    assert naive.status_code == 422


async def test_officer_gets_403_on_the_officers_list(client, signed):
    response = await client.get("/api/officers", headers=signed.auth("officer_de"))
    assert response.status_code == 403
    assert response.json()["status"] == 403


async def test_delegation_lead_sees_only_its_country(client, signed):
    response = await client.get("/api/officers", headers=signed.auth("lead_de"))
    body = response.json()
    assert {o["country"] for o in body["items"]} == {"DE"}
    assert body["total"] == 3
    other = await client.get("/api/officers?country=IT", headers=signed.auth("lead_de"))
    assert other.status_code == 403


async def test_desk_searches_by_name_and_accreditation(client, signed):
    by_name = await client.get("/api/officers?q=rossi", headers=signed.auth("desk"))
    assert [o["accreditation_id"] for o in by_name.json()["items"]] == ["P24-IT-0001"]
    by_id = await client.get("/api/officers?q=p24-de-0002", headers=signed.auth("desk"))
    assert [o["name"] for o in by_id.json()["items"]] == ["Anna Schmidt"]


async def test_officers_list_is_paginated(client, signed):
    response = await client.get("/api/officers?limit=2&offset=1", headers=signed.auth("coordinator"))
    body = response.json()
    assert (body["limit"], body["offset"], body["total"], len(body["items"])) == (2, 1, 4, 2)
    bad = await client.get("/api/officers?limit=0", headers=signed.auth("coordinator"))
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "limit"


async def test_countries_are_named_in_the_callers_language(client, signed):
    response = await client.get("/api/countries", headers=signed.auth("officer_de"))
    names = {c["code"]: c["name"] for c in response.json()["items"]}
    assert names["IT"] == "Italien"
    coordinator = await client.get("/api/countries", headers=signed.auth("coordinator"))
    assert {c["code"]: c["name"] for c in coordinator.json()["items"]}["DE"] == "Allemagne"


async def test_venues_are_listed_with_a_map_link(client, signed):
    response = await client.get("/api/venues", headers=signed.auth("officer_it"))
    (venue,) = response.json()["items"]
    assert venue["meeting_point"] == "Porte X"
    assert "48.924420" in venue["map_url"]


async def test_health_and_schema_are_public(client):
    health = await client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    assert "/api/auth/login" in schema.json()["paths"]


async def test_bad_json_is_a_problem_not_a_crash(client, world):
    response = await client.post("/api/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    missing = await client.post("/api/auth/login", json={"email": "a@b.c"})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "password"
