"""Arranging check-in scenarios: officers still expected, desk sign-ins, accreditation tokens, offline replays."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.officers.models import User
from liaison.sync.registry import MUTATIONS
from tests.factories import PASSWORD


async def expect(db: AsyncSession, *officers: User, arrival: date | None = None, departure: date | None = None) -> None:
    """These officers have not arrived yet (the factory makes everyone `arrived`)."""
    values: dict[str, Any] = {"status": "expected", "arrived_at": None}
    if arrival is not None:
        values["arrival"] = arrival
    if departure is not None:
        values["departure"] = departure
    await db.execute(update(User).where(User.id.in_([o.id for o in officers])).values(**values))
    await db.commit()


async def accreditation(client: AsyncTestClient, token: str) -> dict[str, Any]:
    response = await client.get("/api/me/accreditation", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


async def desk_session(client: AsyncTestClient, email: str, user: User) -> tuple[str, Principal]:
    """A desk tablet signing in: its own device, hence its own identity in the check-in records."""
    response = await client.post(
        "/api/auth/login", json={"email": email, "password": PASSWORD}, headers={"User-Agent": "Desk tablet"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    principal = Principal(
        user_id=user.id,
        device_id=uuid.UUID(body["device_id"]),
        role=user.role,
        country=user.country_code,
        locale=user.locale,
        name=user.name,
    )
    return body["access_token"], principal


def _has_sync_endpoint(client: AsyncTestClient) -> bool:
    return any(route.path == "/api/sync/mutations" for route in client.app.routes)


async def replay_offline_batch(
    client: AsyncTestClient,
    db: AsyncSession,
    desk: tuple[str, Principal],
    client_id: str,
    mutations: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """What a desk does when the network comes back: one batch of queued `accreditation.checkin` mutations.

    Through POST /api/sync/mutations where the app serves it; otherwise through the sync registry exactly as
    that endpoint drives it (handler inside the transaction, one commit per mutation)."""
    token, principal = desk
    batch = [{"id": str(uuid.uuid4()), "name": "accreditation.checkin", **m} for m in mutations]
    if _has_sync_endpoint(client):
        response = await client.post(
            "/api/sync/mutations",
            json={"client_id": client_id, "mutations": batch},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]
    handler = MUTATIONS["accreditation.checkin"]
    results = []
    for item in batch:
        result = await handler(db, principal, item["args"], datetime.fromisoformat(item["occurred_at"]))
        await db.commit()
        results.append({"id": item["id"], "status": "applied", "result": result})
    return results
