"""Signing in, enrolling a phone, and what each role may reach."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from liaison.auth.models import EnrollmentCode
from liaison.database import utcnow
from tests.factories import PASSWORD


async def test_wrong_password_is_401_problem_json(client, world):
    response = await client.post("/api/auth/login", json={"email": "coord@test.liaison", "password": "wrong"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["type"] and body["detail"]


async def test_unknown_email_is_the_same_401(client, world):
    response = await client.post("/api/auth/login", json={"email": "nobody@test.liaison", "password": "x"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong e-mail or password."


async def test_coordinator_signs_in_and_sees_itself(client, world):
    response = await client.post("/api/auth/login", json={"email": "COORD@test.liaison", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 3600
    assert body["user"]["role"] == "coordinator"
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == "coord@test.liaison"


async def test_login_is_rate_limited(database_url, tmp_path):
    from litestar.testing import AsyncTestClient

    from liaison.app import create_app
    from liaison.settings import Settings

    # No background worker: it would write to the shared test database after this test ends.
    settings = Settings(database_url=database_url, login_rate_per_minute=3, static_dir=tmp_path, run_worker=False)
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        codes = [
            (await client.post("/api/auth/login", json={"email": "a@b.c", "password": "x"})).status_code
            for _ in range(5)
        ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]


async def test_phone_enrolls_with_a_single_use_code(client, signed):
    made = await client.post(f"/api/officers/{signed.officer_de2.id}/enrollment", headers=signed.auth("desk"))
    assert made.status_code == 201
    code = made.json()
    assert code["url"].endswith(f"/join?code={code['code']}")
    first = await client.post("/api/auth/enroll", json={"code": code["code"].lower(), "device_name": "Pixel"})
    assert first.status_code == 200
    assert first.json()["user"]["name"] == "Lukas Weber"
    again = await client.post("/api/auth/enroll", json={"code": code["code"]})
    assert again.status_code == 401


async def test_expired_code_is_refused(client, signed, db):
    made = await client.post(f"/api/officers/{signed.officer_de2.id}/enrollment", headers=signed.auth("desk"))
    await db.execute(update(EnrollmentCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    await db.commit()
    response = await client.post("/api/auth/enroll", json={"code": made.json()["code"]})
    assert response.status_code == 401


async def test_officer_cannot_make_enrollment_codes(client, signed):
    response = await client.post(f"/api/officers/{signed.officer_it.id}/enrollment", headers=signed.auth("officer_de"))
    assert response.status_code == 403


async def test_revoked_phone_loses_access(client, signed):
    devices = await client.get(f"/api/officers/{signed.officer_de.id}/devices", headers=signed.auth("coordinator"))
    assert devices.status_code == 200
    (device,) = devices.json()
    assert (await client.delete(f"/api/devices/{device['id']}", headers=signed.auth("coordinator"))).status_code == 204
    assert (await client.get("/api/me", headers=signed.auth("officer_de"))).status_code == 401


async def test_sign_out_revokes_the_token(client, signed):
    assert (await client.post("/api/auth/logout", headers=signed.auth("officer_it"))).status_code == 204
    assert (await client.get("/api/me", headers=signed.auth("officer_it"))).status_code == 401


async def test_no_token_is_401_and_garbage_token_is_401(client, world):
    assert (await client.get("/api/me")).status_code == 401
    response = await client.get("/api/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_officer_changes_language(client, signed):
    response = await client.patch("/api/me", json={"locale": "pt_BR"}, headers=signed.auth("officer_de"))
    assert response.status_code == 200
    assert response.json()["locale"] == "pt-BR"
    me = await client.get("/api/me", headers=signed.auth("officer_de"))
    assert me.json()["locale"] == "pt-BR"
    bad = await client.patch("/api/me", json={"locale": "xx-nowhere"}, headers=signed.auth("officer_de"))
    assert bad.status_code in (400, 422)
    assert bad.json()["errors"][0]["field"] == "locale"
