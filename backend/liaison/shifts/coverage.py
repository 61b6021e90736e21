"""Coverage: per venue and hour, officers needed vs planned, and the languages on duty vs those expected.

Hot path of the planner's week view (one venue-week must answer in < 100 ms with 80,000 officers), so it
is three small Core queries and no ORM objects: the venues, their shifts in the window (an index range on
venue and start), and the assigned officers counted per shift and per language list by the database.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.params import QueryParameter
from sqlalchemy import Integer, Text, Uuid, bindparam, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.guards import allow
from liaison.database import JSONType
from liaison.deps import DbSession
from liaison.errors import Invalid
from liaison.officers.models import User
from liaison.shifts.models import Assignment, Shift
from liaison.shifts.rules import MAX_SHIFT
from liaison.venues.models import Venue

HOUR = timedelta(hours=1)
MAX_WINDOW_ONE_VENUE = timedelta(days=31)
MAX_WINDOW_ALL_VENUES = timedelta(days=7)


class HourCoverage(msgspec.Struct):
    starts_at: datetime
    needed: int
    planned: int
    # Officers on duty speaking each language.
    languages: dict[str, int]
    missing_languages: list[str]
    # Officers short of the headcount this hour.
    short: int
    gap: bool


class VenueCoverage(msgspec.Struct):
    venue_id: uuid.UUID
    name: str
    expected_languages: list[str]
    gaps: int
    hours: list[HourCoverage]


class CoverageOut(msgspec.Struct):
    from_: datetime = msgspec.field(name="from")
    to: datetime = msgspec.field()
    venues: list[VenueCoverage] = msgspec.field(default_factory=list)


def _base(tag: str) -> str:
    return tag.split("-")[0].lower()


async def _shifts(session: AsyncSession, venue_id: uuid.UUID | None, start: datetime, end: datetime) -> list[Any]:
    query = select(Shift.id, Shift.venue_id, Shift.starts_at, Shift.ends_at, Shift.headcount).where(
        Shift.deleted_at.is_(None),
        Shift.starts_at < end,
        # Bounded below too, so the (venue_id, starts_at) index range stays one week wide.
        Shift.starts_at > start - MAX_SHIFT,
        Shift.ends_at > start,
    )
    if venue_id is not None:
        query = query.where(Shift.venue_id == venue_id)
    return list((await session.execute(query)).all())


# SQLite picks the users' unique index over the covering one unless told (it has no statistics until
# ANALYZE): pinned here, on the one hot query, with SQLite's own INDEXED BY.
_ON_DUTY_SQLITE = (
    text(
        "SELECT a.shift_id, u.languages, count(*) AS n "
        "FROM assignments AS a INDEXED BY ix_assignments_shift_cover "
        "JOIN users AS u INDEXED BY ix_users_id_languages ON u.id = a.user_id "
        "WHERE a.deleted_at IS NULL AND a.shift_id IN :ids "
        "GROUP BY a.shift_id, u.languages"
    )
    .bindparams(bindparam("ids", expanding=True, type_=Uuid()))
    .columns(shift_id=Uuid(), languages=JSONType, n=Integer())
)


def _on_duty_query(dialect: str, shift_ids: list[uuid.UUID]) -> Any:
    if dialect == "sqlite":
        return _ON_DUTY_SQLITE.params(ids=shift_ids)
    # Grouped as text: hashing jsonb values costs PostgreSQL several times more, and the lists are decoded
    # once each below anyway.
    lists = cast(User.__table__.c.languages, Text)
    return (
        select(Assignment.shift_id, lists, func.count())
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.deleted_at.is_(None), Assignment.shift_id.in_(shift_ids))
        .group_by(Assignment.shift_id, lists)
    )


async def _on_duty(session: AsyncSession, shift_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, dict[str, int]]]:
    """Per shift: officers assigned, and how many of them speak each language.

    Grouped by the officers' language lists as stored: a venue-week has thousands of assignments but only
    a few dozen distinct lists (compatriots share them), so each list is decoded once, not once per officer.
    """
    out: dict[uuid.UUID, tuple[int, dict[str, int]]] = {}
    dialect = session.get_bind().dialect.name
    for chunk in range(0, len(shift_ids), 500):
        rows = await session.execute(_on_duty_query(dialect, shift_ids[chunk : chunk + 500]))
        for shift_id, languages, count in rows.all():
            planned, spoken = out.get(shift_id, (0, {}))
            tags = json.loads(languages) if isinstance(languages, str) else languages
            for language in {_base(x) for x in tags or ()}:
                spoken[language] = spoken.get(language, 0) + count
            out[shift_id] = (planned + count, spoken)
    return out


async def coverage(session: AsyncSession, venue_id: uuid.UUID | None, start: datetime, end: datetime) -> CoverageOut:
    start = start.replace(minute=0, second=0, microsecond=0)
    venue_query = select(Venue.id, Venue.name, Venue.languages).where(Venue.deleted_at.is_(None))
    if venue_id is not None:
        venue_query = venue_query.where(Venue.id == venue_id)
    venues = (await session.execute(venue_query.order_by(Venue.name))).all()
    if venue_id is not None and not venues:
        raise Invalid(f"No venue {venue_id}.", errors=[{"field": "venue", "message": "unknown venue"}])
    shifts = await _shifts(session, venue_id, start, end)
    duty = await _on_duty(session, [row.id for row in shifts])

    hours = int((end - start) / HOUR) + (1 if (end - start) % HOUR else 0)
    by_venue: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in shifts:
        by_venue[row.venue_id].append(row)
    out = CoverageOut(from_=start, to=end)
    for vid, name, expected in venues:
        needed = [0] * hours
        on_duty = [0] * hours
        langs: list[dict[str, int]] = [{} for _ in range(hours)]
        for row in by_venue.get(vid, ()):
            first = max(0, int((row.starts_at - start) // HOUR))
            last = min(hours, int((row.ends_at - start - timedelta(microseconds=1)) // HOUR) + 1)
            for h in range(first, last):
                planned, spoken = duty.get(row.id, (0, {}))
                needed[h] += row.headcount
                on_duty[h] += planned
                for language, count in spoken.items():
                    langs[h][language] = langs[h].get(language, 0) + count
        wanted = [_base(x) for x in (expected or [])]
        hour_rows = []
        for h in range(hours):
            missing = [x for x in wanted if x not in langs[h]] if needed[h] else []
            short = max(0, needed[h] - on_duty[h])
            hour_rows.append(
                HourCoverage(
                    starts_at=start + h * HOUR,
                    needed=needed[h],
                    planned=on_duty[h],
                    languages=dict(sorted(langs[h].items())),
                    missing_languages=missing,
                    short=short,
                    gap=bool(short or missing),
                )
            )
        out.venues.append(
            VenueCoverage(
                venue_id=vid,
                name=name,
                expected_languages=wanted,
                gaps=sum(1 for r in hour_rows if r.gap),
                hours=hour_rows,
            )
        )
    return out


class CoverageController(Controller):
    path = "/api/coverage"
    tags = ["planning"]
    guards = [allow("coordinator", "admin")]

    @get(
        "/",
        summary="Coverage per venue and hour: needed vs planned officers, languages on duty vs expected",
        description="An hour is a gap when fewer officers are planned than needed, or when a language the venue "
        "expects is spoken by none of the officers on duty. `from`/`to` are required (at most 31 days for one "
        "venue, 7 days for all venues); `from` is rounded down to the hour.",
    )
    async def get_coverage(
        self,
        db_session: DbSession,
        from_: Annotated[datetime, QueryParameter(name="from", description="Window start (with offset)")],
        to: Annotated[datetime, QueryParameter(description="Window end (with offset)")],
        venue: Annotated[uuid.UUID | None, QueryParameter(description="Venue id; all venues when absent")] = None,
    ) -> CoverageOut:
        for name, value in (("from", from_), ("to", to)):
            if value.tzinfo is None:
                raise Invalid(f"{name} needs a UTC offset", errors=[{"field": name, "message": "add a UTC offset"}])
        if to <= from_:
            raise Invalid("`to` must be after `from`.", errors=[{"field": "to", "message": "not after from"}])
        limit = MAX_WINDOW_ONE_VENUE if venue else MAX_WINDOW_ALL_VENUES
        if to - from_ > limit:
            raise Invalid(
                f"The window is at most {limit.days} days.",
                errors=[{"field": "to", "message": f"more than {limit.days} days after from"}],
            )
        return await coverage(db_session, venue, from_, to)
