"""The accreditation desk: signed QR codes, check-in once and only once, refusals, offline desks."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from liaison.checkin.keys import KeyRing
from liaison.checkin.tokens import sign
from tests.checkin_helpers import accreditation, desk_session, expect, replay_offline_batch


def _flip_signature_byte(token: str) -> str:
    head, claims, signature = token.split(".")
    # Change a character in the middle: the decoded signature differs in real bits, not padding bits.
    i = len(signature) // 2
    return f"{head}.{claims}.{signature[:i]}{'A' if signature[i] != 'A' else 'B'}{signature[i + 1 :]}"


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated:UserWarning")
async def test_outside_client_verifies_the_officer_token_with_the_published_jwks(client, signed):
    mine = await accreditation(client, signed.tokens["officer_de"])
    jwks = await client.get("/api/accreditation/jwks.json")
    assert jwks.status_code == 200
    keys = jwks.json()["keys"]
    assert [(k["kty"], k["crv"], k["use"]) for k in keys] == [("OKP", "Ed25519", "sig")]

    # joserfc is an independent implementation: it knows nothing of how Liaison signs.
    decoded = jwt.decode(mine["token"], KeySet.import_key_set(jwks.json()), algorithms=["EdDSA"])
    assert decoded.header["alg"] == "EdDSA" and decoded.header["kid"] == keys[0]["kid"] == mine["kid"]
    claims = decoded.claims
    assert claims["accreditation_id"] == "P24-DE-0002" == mine["accreditation_id"]
    assert claims["sub"] == str(signed.officer_de.id)
    assert (claims["name"], claims["country"], claims["role"]) == ("Anna Schmidt", "DE", "officer")
    assert claims["iss"] == "http://127.0.0.1:8000"
    assert claims["nbf"] <= claims["iat"] < claims["exp"]
    # Valid for the stay (departure in 20 days, plus a day of grace), not for ever.
    assert 19 * 86400 < claims["exp"] - claims["iat"] < 24 * 86400
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": "http://127.0.0.1:8000"}).validate(claims)
    assert mine["holder"]["country_name"] == "Deutschland"


async def test_desk_checks_the_officer_in_and_a_second_scan_is_already_checked_in(client, signed, db):
    await expect(db, signed.officer_it)
    qr = (await accreditation(client, signed.tokens["officer_it"]))["token"]

    first = await client.post("/api/checkins", json={"token": qr}, headers=signed.auth("desk"))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["result"] == "checked_in"
    assert body["officer"]["name"] == "Giulia Rossi" and body["officer"]["status"] == "arrived"
    assert body["officer"]["country_name"] == "Italie"  # the desk agent works in French
    assert body["message"] == "Giulia Rossi : arrivée enregistrée." and body["lang"] == "fr"
    assert body["checkin"]["method"] == "token" and body["checkin"]["source"] == "online"
    checked_in_at = datetime.fromisoformat(body["checked_in_at"])
    assert abs(checked_in_at - datetime.now(UTC)) < timedelta(minutes=1)
    # The phone is already enrolled (the world enrolled it), so no new code is made.
    assert body["enrollment"] is None

    again = await client.post("/api/checkins", json={"token": qr}, headers=signed.auth("coordinator"))
    assert again.status_code == 200
    assert again.json()["result"] == "already_checked_in"
    assert datetime.fromisoformat(again.json()["checked_in_at"]) == checked_in_at
    assert again.json()["message"].startswith("Giulia Rossi : arrivée déjà enregistrée (")

    listed = await client.get("/api/officers", params={"q": "P24-IT-0001"}, headers=signed.auth("coordinator"))
    assert listed.json()["items"][0]["status"] == "arrived"
    counted = await client.get(
        "/api/checkins", params={"officer_id": str(signed.officer_it.id)}, headers=signed.auth("desk")
    )
    assert sorted(c["result"] for c in counted.json()["items"]) == ["already_checked_in", "checked_in"]


async def test_desk_hands_an_enrollment_code_to_an_officer_without_a_phone(client, signed, db):
    await expect(db, signed.officer_de2)
    response = await client.post("/api/checkins", json={"accreditation_id": "p24-de-0003"}, headers=signed.auth("desk"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] == "checked_in" and body["checkin"]["method"] == "accreditation_id"
    enrollment = body["enrollment"]
    assert enrollment["url"].endswith(f"/join?code={enrollment['code']}")
    phone = await client.post("/api/auth/enroll", json={"code": enrollment["code"], "device_name": "Pixel"})
    assert phone.status_code == 200
    assert phone.json()["user"]["name"] == "Lukas Weber" and phone.json()["user"]["status"] == "arrived"


async def test_token_with_a_changed_signature_byte_is_refused(client, signed, db):
    await expect(db, signed.officer_de)
    qr = (await accreditation(client, signed.tokens["officer_de"]))["token"]
    response = await client.post("/api/checkins", json={"token": _flip_signature_byte(qr)}, headers=signed.auth("desk"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["reason"] == "bad_signature"
    me = await client.get("/api/me", headers=signed.auth("officer_de"))
    assert me.json()["status"] == "expected"


async def test_tampered_claims_garbage_and_foreign_keys_are_refused(client, signed, db, tmp_path):
    await expect(db, signed.officer_de)
    qr = (await accreditation(client, signed.tokens["officer_de"]))["token"]
    head, _claims, signature = qr.split(".")
    other = (await accreditation(client, signed.tokens["officer_it"]))["token"].split(".")[1]
    cases = {
        f"{head}.{other}.{signature}": "bad_signature",
        "not-a-token": "malformed",
        "a.b.c": "malformed",
    }
    foreign = KeyRing(tmp_path / "elsewhere")
    now = datetime.now(UTC)
    forged, _ = sign(
        foreign,
        issuer="http://127.0.0.1:8000",
        accreditation_id="P24-DE-0002",
        officer_id=signed.officer_de.id,
        name="Anna Schmidt",
        country="DE",
        role="officer",
        rank=None,
        generation=0,
        now=now,
        not_before=now,
        expires_at=now + timedelta(days=1),
    )
    cases[forged] = "unknown_key"
    for token, reason in cases.items():
        response = await client.post("/api/checkins", json={"token": token}, headers=signed.auth("desk"))
        assert response.status_code == 422, (token, response.text)
        assert response.json()["reason"] == reason


async def test_expired_accreditation_is_refused(client, signed, db):
    today = date.today()
    await expect(db, signed.officer_de, arrival=today - timedelta(days=30), departure=today - timedelta(days=10))
    qr = await accreditation(client, signed.tokens["officer_de"])
    assert datetime.fromisoformat(qr["expires_at"]) < datetime.now(UTC)
    response = await client.post("/api/checkins", json={"token": qr["token"]}, headers=signed.auth("desk"))
    assert response.status_code == 422
    assert response.json()["reason"] == "expired"
    assert response.json()["detail"] == "L'accréditation a expiré."


async def test_accreditation_is_not_valid_long_before_the_planned_arrival(client, signed, db):
    today = date.today()
    await expect(db, signed.officer_it, arrival=today + timedelta(days=10), departure=today + timedelta(days=30))
    qr = await accreditation(client, signed.tokens["officer_it"])
    response = await client.post("/api/checkins", json={"token": qr["token"]}, headers=signed.auth("desk"))
    assert response.status_code == 422 and response.json()["reason"] == "not_yet_valid"
    # The desk can still check in by the typed accreditation id after looking at the officer's papers.
    typed = await client.post("/api/checkins", json={"accreditation_id": "P24-IT-0001"}, headers=signed.auth("desk"))
    assert typed.json()["result"] == "checked_in"


async def test_staff_hold_no_accreditation(client, signed):
    response = await client.get("/api/me/accreditation", headers=signed.auth("desk"))
    assert response.status_code == 404
    assert response.json()["detail"] == "Vous ne détenez aucune accréditation."
    lead = await client.get("/api/me/accreditation", headers=signed.auth("lead_de"))
    assert lead.status_code == 200 and lead.json()["accreditation_id"] == "P24-DE-0001"


async def test_lost_accreditation_refuses_old_codes_and_the_new_code_works(client, signed, db):
    await expect(db, signed.officer_de)
    old = (await accreditation(client, signed.tokens["officer_de"]))["token"]
    revoked = await client.post(
        "/api/accreditations/P24-DE-0002/revoke",
        json={"reason": "lost", "note": "Phone stolen at Gare du Nord"},
        headers=signed.auth("coordinator"),
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["generation"] == 1

    refused = await client.post("/api/checkins", json={"token": old}, headers=signed.auth("desk"))
    assert refused.status_code == 422 and refused.json()["reason"] == "revoked"

    fresh = (await accreditation(client, signed.tokens["officer_de"]))["token"]
    accepted = await client.post("/api/checkins", json={"token": fresh}, headers=signed.auth("desk"))
    assert accepted.status_code == 200 and accepted.json()["result"] == "checked_in"


async def test_withdrawn_accreditation_is_refused_everywhere(client, signed, db):
    await expect(db, signed.officer_it)
    qr = (await accreditation(client, signed.tokens["officer_it"]))["token"]
    response = await client.post(
        "/api/accreditations/P24-IT-0001/revoke", json={"reason": "withdrawn"}, headers=signed.auth("coordinator")
    )
    assert response.status_code == 200
    by_token = await client.post("/api/checkins", json={"token": qr}, headers=signed.auth("desk"))
    by_id = await client.post("/api/checkins", json={"accreditation_id": "P24-IT-0001"}, headers=signed.auth("desk"))
    assert [by_token.json()["reason"], by_id.json()["reason"]] == ["withdrawn", "withdrawn"]
    assert (await client.get("/api/me/accreditation", headers=signed.auth("officer_it"))).status_code == 403
    # "lost" after "withdrawn" must not quietly re-open the accreditation.
    await client.post(
        "/api/accreditations/P24-IT-0001/revoke", json={"reason": "lost"}, headers=signed.auth("coordinator")
    )
    assert (await client.get("/api/me/accreditation", headers=signed.auth("officer_it"))).status_code == 403


async def test_desks_cache_the_revocation_list_with_an_etag(client, signed):
    empty = await client.get("/api/accreditation/revocations", headers=signed.auth("desk"))
    assert empty.status_code == 200 and empty.json()["items"] == [] and empty.json()["total"] == 0
    etag = empty.headers["etag"]
    same = await client.get("/api/accreditation/revocations", headers={**signed.auth("desk"), "If-None-Match": etag})
    assert same.status_code == 304

    await client.post(
        "/api/accreditations/P24-DE-0003/revoke", json={"reason": "lost"}, headers=signed.auth("coordinator")
    )
    changed = await client.get("/api/accreditation/revocations", headers={**signed.auth("desk"), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    (entry,) = changed.json()["items"]
    assert (entry["accreditation_id"], entry["reason"], entry["generation"]) == ("P24-DE-0003", "lost", 1)

    assert (await client.get("/api/accreditation/revocations", headers=signed.auth("officer_de"))).status_code == 403
    desk_revokes = await client.post(
        "/api/accreditations/P24-DE-0003/revoke", json={"reason": "lost"}, headers=signed.auth("desk")
    )
    assert desk_revokes.status_code == 403
    unknown = await client.post(
        "/api/accreditations/P24-XX-9999/revoke", json={"reason": "lost"}, headers=signed.auth("coordinator")
    )
    assert unknown.status_code == 404


async def test_officer_cannot_check_anyone_in_with_its_own_token(client, signed, db):
    await expect(db, signed.officer_de)
    qr = (await accreditation(client, signed.tokens["officer_de"]))["token"]
    response = await client.post("/api/checkins", json={"token": qr}, headers=signed.auth("officer_de"))
    assert response.status_code == 403
    lead = await client.post("/api/checkins", json={"token": qr}, headers=signed.auth("lead_de"))
    assert lead.status_code == 403
    assert (await client.get("/api/me", headers=signed.auth("officer_de"))).json()["status"] == "expected"


async def test_unknown_accreditation_and_empty_requests_are_422(client, signed):
    unknown = await client.post("/api/checkins", json={"accreditation_id": "P24-XX-0042"}, headers=signed.auth("desk"))
    assert unknown.status_code == 422 and unknown.json()["reason"] == "unknown_accreditation"
    assert "P24-XX-0042" in unknown.json()["detail"]
    empty = await client.post("/api/checkins", json={}, headers=signed.auth("desk"))
    assert empty.status_code == 422
    naive = await client.post(
        "/api/checkins",
        json={"accreditation_id": "P24-DE-0003", "occurred_at": "2026-07-20T10:00:00"},
        headers=signed.auth("desk"),
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "occurred_at"
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    ahead = await client.post(
        "/api/checkins", json={"accreditation_id": "P24-DE-0003", "occurred_at": future}, headers=signed.auth("desk")
    )
    assert ahead.status_code == 422


async def test_a_scan_after_the_status_was_reset_is_a_repeat_that_restores_the_arrival(client, signed, db):
    await expect(db, signed.officer_it)
    first = await client.post("/api/checkins", json={"accreditation_id": "P24-IT-0001"}, headers=signed.auth("desk"))
    await expect(db, signed.officer_it)  # e.g. a coordinator's mistaken correction
    again = await client.post("/api/checkins", json={"accreditation_id": "P24-IT-0001"}, headers=signed.auth("desk"))
    assert again.status_code == 200 and again.json()["result"] == "already_checked_in"
    assert again.json()["checkin"]["first_checkin_id"] == first.json()["checkin"]["id"]
    assert again.json()["officer"]["status"] == "arrived"


async def test_two_desks_scanning_at_once_count_the_officer_once(client, signed, db):
    await expect(db, signed.officer_it)
    qr = (await accreditation(client, signed.tokens["officer_it"]))["token"]
    results = await asyncio.gather(
        client.post("/api/checkins", json={"token": qr, "enroll": False}, headers=signed.auth("desk")),
        client.post("/api/checkins", json={"token": qr, "enroll": False}, headers=signed.auth("coordinator")),
    )
    assert [r.status_code for r in results] == [200, 200]
    assert sorted(r.json()["result"] for r in results) == ["already_checked_in", "checked_in"]
    arrivals = await client.get("/api/arrivals", params={"country": "IT"}, headers=signed.auth("coordinator"))
    assert arrivals.json()["totals"]["arrived_by_day"] == 1


async def test_two_offline_desks_count_the_officer_once_and_the_conflict_is_reviewed(client, signed, db):
    await expect(db, signed.officer_de, signed.officer_it)
    qr = (await accreditation(client, signed.tokens["officer_de"]))["token"]
    desk_a = await desk_session(client, "desk@test.liaison", signed.desk)
    desk_b = await desk_session(client, "coord@test.liaison", signed.coordinator)
    scanned_a = datetime.now(UTC) - timedelta(minutes=40)
    scanned_b = datetime.now(UTC) - timedelta(minutes=25)

    first = await replay_offline_batch(
        client,
        db,
        desk_a,
        "desk-a",
        [
            {"args": {"token": qr}, "occurred_at": scanned_a.isoformat()},
            {"args": {"accreditation_id": "P24-IT-0001"}, "occurred_at": scanned_a.isoformat()},
        ],
    )
    second = await replay_offline_batch(
        client, db, desk_b, "desk-b", [{"args": {"token": qr}, "occurred_at": scanned_b.isoformat()}]
    )
    assert [r["status"] for r in first + second] == ["applied", "applied", "applied"]

    me = (await client.get("/api/me", headers=signed.auth("officer_de"))).json()
    assert me["status"] == "arrived"
    arrivals = await client.get("/api/arrivals", headers=signed.auth("coordinator"))
    totals = arrivals.json()["totals"]
    # Four people in the world, each counted once although Anna was scanned by two desks.
    assert (totals["officers"], totals["arrived_by_day"]) == (4, 4)
    scans = await client.get(
        "/api/checkins", params={"officer_id": str(signed.officer_de.id)}, headers=signed.auth("desk")
    )
    by_result = {c["result"]: c for c in scans.json()["items"]}
    assert set(by_result) == {"checked_in", "already_checked_in"} and scans.json()["total"] == 2
    counted = by_result["checked_in"]
    assert counted["source"] == "offline"
    assert datetime.fromisoformat(counted["occurred_at"]) == scanned_a  # the scan time is kept, not the sync time

    conflicts = await client.get("/api/checkins/conflicts", headers=signed.auth("coordinator"))
    assert conflicts.status_code == 200
    (conflict,) = conflicts.json()["items"]
    assert conflict["officer"]["name"] == "Anna Schmidt"
    assert conflict["first"]["id"] == counted["id"]
    assert conflict["second"]["device_id"] == str(desk_b[1].device_id)
    assert datetime.fromisoformat(conflict["second"]["occurred_at"]) == scanned_b

    assert (await client.get("/api/checkins/conflicts", headers=signed.auth("desk"))).status_code == 403
    reviewed = await client.post(f"/api/checkins/conflicts/{conflict['id']}/review", headers=signed.auth("coordinator"))
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_at"]
    pending = await client.get("/api/checkins/conflicts", headers=signed.auth("coordinator"))
    assert pending.json()["total"] == 0


async def test_an_online_rescan_after_the_check_in_is_no_conflict(client, signed, db):
    await expect(db, signed.officer_it)
    await client.post("/api/checkins", json={"accreditation_id": "P24-IT-0001"}, headers=signed.auth("desk"))
    desk_b = await desk_session(client, "coord@test.liaison", signed.coordinator)
    later = await replay_offline_batch(
        client,
        db,
        desk_b,
        "desk-b",
        [{"args": {"accreditation_id": "P24-IT-0001"}, "occurred_at": datetime.now(UTC).isoformat()}],
    )
    assert later[0]["status"] == "applied"
    conflicts = await client.get("/api/checkins/conflicts", headers=signed.auth("coordinator"))
    assert conflicts.json()["total"] == 0


async def test_offline_replay_with_a_forged_token_is_rejected(client, signed, db):
    from liaison.errors import Invalid

    await expect(db, signed.officer_de)
    qr = (await accreditation(client, signed.tokens["officer_de"]))["token"]
    desk = await desk_session(client, "desk@test.liaison", signed.desk)
    try:
        results = await replay_offline_batch(
            client,
            db,
            desk,
            "desk-a",
            [{"args": {"token": _flip_signature_byte(qr)}, "occurred_at": datetime.now(UTC).isoformat()}],
        )
    except Invalid as refused:
        await db.rollback()
        assert refused.extra["reason"] == "bad_signature"
    else:
        assert results[0]["status"] == "rejected"
    assert (await client.get("/api/me", headers=signed.auth("officer_de"))).json()["status"] == "expected"


async def test_desks_pull_check_ins_and_officers_do_not(client, signed, db):
    from liaison.auth.principal import Principal
    from liaison.sync.registry import PULL_SOURCES

    await expect(db, signed.officer_it)
    made = await client.post("/api/checkins", json={"accreditation_id": "P24-IT-0001"}, headers=signed.auth("desk"))
    pull = PULL_SOURCES["checkin"]
    desk = await desk_session(client, "desk@test.liaison", signed.desk)
    changes = await pull(db, desk[1], 0, 10**9)
    assert [(c.entity, c.id, c.op) for c in changes] == [("checkin", made.json()["checkin"]["id"], "upsert")]
    assert changes[0].data == made.json()["checkin"]
    officer = Principal(
        user_id=signed.officer_it.id, device_id=desk[1].device_id, role="officer", country="IT", locale="it", name="x"
    )
    assert await pull(db, officer, 0, 10**9) == []
