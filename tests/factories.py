"""A small, readable world for tests: two countries, staff, officers, a venue and shifts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.secrets import hash_password
from liaison.officers.models import Country, User
from liaison.shifts.models import Assignment, Shift
from liaison.venues.models import Venue

PASSWORD = "correct-horse-battery"
_HASH = hash_password(PASSWORD)


@dataclass
class World:
    coordinator: User
    desk: User
    lead_de: User
    officer_de: User
    officer_de2: User
    officer_it: User
    venue: Venue
    shift_today: Shift
    shift_tomorrow: Shift
    assignment_de: Assignment
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def person(
    role: str,
    first: str,
    last: str,
    country: str | None,
    *,
    email: str | None = None,
    locale: str = "en",
    accreditation_id: str | None = None,
    **extra: object,
) -> User:
    today = date.today()
    return User(
        id=uuid.uuid4(),
        role=role,
        first_name=first,
        last_name=last,
        country_code=country,
        email=email,
        password_hash=_HASH if email else None,
        locale=locale,
        accreditation_id=accreditation_id,
        languages=[locale],
        status=extra.pop("status", "arrived"),  # type: ignore[arg-type]
        arrival=today - timedelta(days=5),
        departure=today + timedelta(days=20),
        **extra,
    )


async def build_world(db: AsyncSession) -> World:
    db.add_all(
        [
            Country(code="DE", languages=["de"]),
            Country(code="IT", languages=["it"]),
            Country(code="FR", languages=["fr"]),
        ]
    )
    coordinator = person("coordinator", "Isabelle", "Durand", None, email="coord@test.liaison", locale="fr")
    desk = person("desk", "Mathieu", "Perrin", None, email="desk@test.liaison", locale="fr")
    lead_de = person(
        "delegation_lead",
        "Jonas",
        "Becker",
        "DE",
        email="lead.de@test.liaison",
        locale="de",
        accreditation_id="P24-DE-0001",
    )
    officer_de = person("officer", "Anna", "Schmidt", "DE", locale="de", accreditation_id="P24-DE-0002")
    officer_de2 = person("officer", "Lukas", "Weber", "DE", locale="de", accreditation_id="P24-DE-0003")
    officer_it = person("officer", "Giulia", "Rossi", "IT", locale="it", accreditation_id="P24-IT-0001")
    venue = Venue(
        id=uuid.uuid4(),
        slug="stade-de-france",
        name="Stade de France",
        kind="competition",
        address="ZAC du Cornillon Nord",
        city="Saint-Denis",
        latitude=48.92442,
        longitude=2.3602,
        meeting_point="Porte X",
        sports=["athletics"],
        languages=["fr", "en", "de"],
    )
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    shift_today = Shift(
        id=uuid.uuid4(),
        venue_id=venue.id,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(hours=10),
        task="Spectator entrance liaison",
        headcount=3,
        contact_name="Commandant Claire Moreau",
        contact_phone="+33 1 53 71 00 11",
        languages=["de"],
    )
    shift_tomorrow = Shift(
        id=uuid.uuid4(),
        venue_id=venue.id,
        starts_at=now + timedelta(hours=26),
        ends_at=now + timedelta(hours=34),
        task="Foot patrol",
        headcount=2,
        contact_name="Capitaine Julien Lefèvre",
        contact_phone="+33 1 53 71 00 12",
    )
    db.add_all([coordinator, desk, lead_de, officer_de, officer_de2, officer_it, venue])
    await db.flush()
    db.add_all([shift_today, shift_tomorrow])
    await db.flush()
    assignment_de = Assignment(id=uuid.uuid4(), shift_id=shift_today.id, user_id=officer_de.id)
    db.add_all([assignment_de, Assignment(id=uuid.uuid4(), shift_id=shift_today.id, user_id=officer_it.id)])
    await db.commit()
    return World(
        coordinator,
        desk,
        lead_de,
        officer_de,
        officer_de2,
        officer_it,
        venue,
        shift_today,
        shift_tomorrow,
        assignment_de,
    )


async def login(client: AsyncTestClient, email: str, password: str = PASSWORD) -> str:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def enroll(client: AsyncTestClient, staff_token: str, officer_id: uuid.UUID) -> str:
    """What a phone does at the desk: the desk makes a code, the phone redeems it."""
    made = await client.post(
        f"/api/officers/{officer_id}/enrollment", headers={"Authorization": f"Bearer {staff_token}"}
    )
    assert made.status_code == 201, made.text
    redeemed = await client.post("/api/auth/enroll", json={"code": made.json()["code"], "device_name": "Test phone"})
    assert redeemed.status_code == 200, redeemed.text
    return redeemed.json()["access_token"]


async def signed_in_world(client: AsyncTestClient, world: World) -> World:
    world.tokens["coordinator"] = await login(client, "coord@test.liaison")
    world.tokens["desk"] = await login(client, "desk@test.liaison")
    world.tokens["lead_de"] = await login(client, "lead.de@test.liaison")
    world.tokens["officer_de"] = await enroll(client, world.tokens["desk"], world.officer_de.id)
    world.tokens["officer_it"] = await enroll(client, world.tokens["desk"], world.officer_it.id)
    return world
