"""Seeds the demo data set into an empty database: deterministic for a given day, and fast (bulk inserts).

Each domain adds its own demo rows as a step in STEPS (a function of the session and the DemoContext).
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from faker import Faker
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.secrets import hash_password
from liaison.demo import data
from liaison.officers.models import Country, User
from liaison.shifts.models import Assignment, Shift
from liaison.sync.versioning import transaction_version
from liaison.venues.models import Venue

PARIS = ZoneInfo("Europe/Paris")
TOTAL_OFFICERS = 2185
DAYS = 14
SLOTS = ((time(7, 0), 8), (time(14, 0), 8))  # (local start, hours): 16 h between two shifts of one slot
NAMESPACE = uuid.UUID("6f1c1d7e-2a4b-4f0e-9a7c-5d3e2b1a0c9f")


def stable_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


@dataclass
class DemoContext:
    today: date
    version: int
    coordinator_id: uuid.UUID
    officers: list[dict[str, object]] = field(default_factory=list)
    venues: list[dict[str, object]] = field(default_factory=list)
    shifts: list[dict[str, object]] = field(default_factory=list)


Step = Callable[[AsyncSession, DemoContext], Awaitable[None]]
STEPS: list[Step] = []


def delegation_sizes(total: int = TOTAL_OFFICERS) -> dict[str, int]:
    """Split `total` over the countries by weight (largest remainder), so the sum is exact."""
    weights = {code: w for code, _, _, w in data.COUNTRIES}
    whole = sum(weights.values())
    raw = {c: total * w / whole for c, w in weights.items()}
    sizes = {c: int(v) for c, v in raw.items()}
    for c in sorted(raw, key=lambda c: (-(raw[c] - sizes[c]), c))[: total - sum(sizes.values())]:
        sizes[c] += 1
    return sizes


def _names(code: str, locale: str | None, count: int) -> list[tuple[str, str]]:
    if locale is None:
        men, women, last = data.HANDWRITTEN_NAMES[code]
        return [
            ((men if i % 3 else women)[(i * 7) % len(men if i % 3 else women)], last[(i * 5 + i // 3) % len(last)])
            for i in range(count)
        ]
    fake = Faker(locale)
    fake.seed_instance(zlib.crc32(code.encode()))
    out = []
    for i in range(count):
        first = fake.first_name_female() if i % 3 == 0 else fake.first_name_male()
        out.append((first, fake.last_name()))
    return out


def _officer_rows(today: date, password_hash: str, version: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    sizes = delegation_sizes()
    for code, languages, locale, _ in data.COUNTRIES:
        for i, (first, last) in enumerate(_names(code, locale, sizes[code])):
            arrives_today = (i % 5) == 4  # a fifth arrive today: the desk's queue
            # One in twenty was due yesterday and has not come: the dashboard's late list. The others came over
            # the three days before today, each on its planned day.
            late = (i % 20) == 19
            planned = (
                today - timedelta(days=1) if late else today if arrives_today else today - timedelta(days=1 + i % 3)
            )
            lead = i == 0
            rank_index = zlib.crc32(f"{code}{i}".encode()) % sum(data.RANK_WEIGHTS)
            rank = next(
                r for r, edge in zip(data.RANKS, _cumulative(data.RANK_WEIGHTS), strict=True) if rank_index < edge
            )
            rows.append(
                {
                    "id": stable_id("officer", code, i),
                    "email": f"lead.{code.lower()}@demo.liaison" if lead else None,
                    "password_hash": password_hash if lead else None,
                    "role": "delegation_lead" if lead else "officer",
                    "first_name": first,
                    "last_name": last,
                    "country_code": code,
                    "locale": languages[0],
                    "languages": [*languages, "en"] if (i % 2 == 0 and "en" not in languages) else list(languages),
                    "rank": "Superintendent" if lead else rank,
                    "accreditation_id": f"P24-{code}-{i + 1:04d}",
                    "status": "expected" if arrives_today else "arrived",
                    "arrival": planned,
                    "departure": today + timedelta(days=DAYS + 1),
                    "arrived_at": None if arrives_today else _paris(planned, time(8 + i % 10, (i * 7) % 60)),
                    "version": version,
                }
            )
    return rows


def _cumulative(weights: list[int]) -> list[int]:
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _paris(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


def _venue_rows(version: int, officers: list[dict[str, object]], teams: list[list[int]]) -> list[dict[str, object]]:
    rows = []
    for index, (slug, name, kind, address, city, lat, lon, meeting, sports) in enumerate(data.VENUES):
        langs: list[str] = ["fr", "en"]
        for team in teams[index * 2 : index * 2 + 2]:
            for officer_index in team:
                for lang in officers[officer_index]["languages"]:  # type: ignore[union-attr]
                    if lang not in langs:
                        langs.append(lang)
        rows.append(
            {
                "id": stable_id("venue", slug),
                "slug": slug,
                "name": name,
                "kind": kind,
                "address": address,
                "city": city,
                "latitude": lat,
                "longitude": lon,
                "meeting_point": meeting,
                "sports": sports,
                "languages": langs,
                "version": version,
            }
        )
    return rows


def _tasks(kind: str) -> list[str]:
    return {"live_site": data.LIVE_SITE_TASKS, "reception": data.RECEPTION_TASKS}.get(kind, data.COMPETITION_TASKS)


def _plan(
    today: date,
    version: int,
    venues: list[dict[str, object]],
    officers: list[dict[str, object]],
    teams: list[list[int]],
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Every officer works one slot at one venue, five days in seven, the days off staggered in the team."""
    shifts: list[dict[str, object]] = []
    assignments: list[dict[str, object]] = []
    for team_index, team in enumerate(teams):
        venue_index, slot = divmod(team_index, 2)
        venue = venues[venue_index]
        start_local, hours = SLOTS[slot]
        contact = data.FRENCH_CONTACTS[venue_index % len(data.FRENCH_CONTACTS)]
        tasks = _tasks(str(venue["kind"]))
        for day in range(DAYS):
            on_duty = [o for pos, o in enumerate(team) if (day + pos) % 7 not in (0, 1)]
            starts = _paris(today + timedelta(days=day), start_local)
            shift_id = stable_id("shift", venue["slug"], day, slot)
            # Now and then a post is short of one officer, so the planner has gaps to show.
            gap = 1 if (venue_index + day + slot) % 6 == 0 else 0
            shifts.append(
                {
                    "id": shift_id,
                    "venue_id": venue["id"],
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=hours),
                    "task": tasks[(day + slot) % len(tasks)],
                    "headcount": len(on_duty) + gap,
                    "contact_name": contact[0],
                    "contact_phone": contact[1],
                    "languages": list(venue["languages"])[:4],
                    "notes": "",
                    "version": version,  # type: ignore[call-overload]
                }
            )
            for officer_index in on_duty:
                officer = officers[officer_index]
                assignments.append(
                    {
                        "id": stable_id("assignment", shift_id, officer["id"]),
                        "shift_id": shift_id,
                        "user_id": officer["id"],
                        "status": "assigned",
                        "version": version,
                    }
                )
    return shifts, assignments


def _teams(count: int) -> list[list[int]]:
    """Contiguous blocks of officers (sorted by country) so compatriots work side by side."""
    n_teams = len(data.VENUES) * len(SLOTS)
    teams: list[list[int]] = [[] for _ in range(n_teams)]
    for i in range(count):
        teams[i * n_teams // count].append(i)
    return teams


async def is_empty(session: AsyncSession) -> bool:
    return (await session.execute(select(func.count()).select_from(User))).scalar_one() == 0


async def seed_demo(session: AsyncSession, today: date | None = None) -> DemoContext:
    """Fill an empty database with the demo; the caller checks emptiness (see `seed_if_empty`)."""
    today = today or datetime.now(PARIS).date()
    version = await transaction_version(session)
    password_hash = hash_password(data.DEMO_PASSWORD)

    await session.execute(
        insert(Country.__table__), [{"code": c, "languages": langs} for c, langs, _, _ in data.COUNTRIES]
    )
    staff = [
        {
            "id": stable_id("staff", email),
            "email": email,
            "password_hash": password_hash,
            "role": role,
            "first_name": first,
            "last_name": last,
            "country_code": country,
            "locale": "fr",
            "languages": ["fr", "en"],
            "status": "arrived",
            "version": version,
        }
        for email, role, first, last, country in data.STAFF
    ]
    officers = _officer_rows(today, password_hash, version)
    teams = _teams(len(officers))
    venues = _venue_rows(version, officers, teams)
    shifts, assignments = _plan(today, version, venues, officers, teams)
    # Separate statements: an executemany takes its columns from the first row.
    await session.execute(insert(User.__table__), staff)
    await session.execute(insert(User.__table__), officers)
    await session.execute(insert(Venue.__table__), venues)
    await session.execute(insert(Shift.__table__), shifts)
    await session.execute(insert(Assignment.__table__), assignments)
    context = DemoContext(
        today=today,
        version=version,
        coordinator_id=staff[0]["id"],
        officers=officers,
        venues=venues,
        shifts=shifts,  # type: ignore[arg-type]
    )
    for step in STEPS:
        await step(session, context)
    await session.commit()
    return context


async def seed_if_empty(session: AsyncSession, today: date | None = None) -> bool:
    if not await is_empty(session):
        return False
    await seed_demo(session, today)
    return True


# Domain steps, in order (imported here, at the end, because they use this module's helpers).
from liaison.notices.demo import seed_alerts_and_notices  # noqa: E402

STEPS.append(seed_alerts_and_notices)
