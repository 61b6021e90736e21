"""The arrivals dashboard: expected vs arrived per country and per day, and who is late.

Officers are grouped in SQL by (country, planned arrival, arrived?, hour of arrival); the hour buckets are
turned into Paris days here, which is exact (Paris offsets are whole hours) and the same on both databases.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.checkin.schemas import ArrivalsOut, CountryArrivals, DayArrivals, LateOfficer
from liaison.checkin.tokens import PARIS
from liaison.i18n.locales import country_name
from liaison.officers.models import User

OFFICER_ROLES = ("officer", "delegation_lead")
LATE_SHOWN = 100


def paris_today() -> date:
    return datetime.now(PARIS).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


@dataclass
class _Group:
    country: str
    planned: date | None
    arrived: bool
    arrived_day: date | None
    count: int


def _hour_bucket(dialect: str) -> object:
    if dialect == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", User.arrived_at))
    return func.strftime("%Y-%m-%d %H:00:00", User.arrived_at)


def _officers(country: str | None) -> Select:  # type: ignore[type-arg]
    query = select(User.id).where(User.role.in_(OFFICER_ROLES), User.deleted_at.is_(None))
    return query.where(User.country_code == country) if country else query


async def _groups(session: AsyncSession, country: str | None) -> list[_Group]:
    bucket = _hour_bucket(session.bind.dialect.name).label("bucket")  # type: ignore[attr-defined]
    arrived = (User.status != "expected").label("arrived")
    query = (
        select(User.country_code, User.arrival, arrived, bucket, func.count(literal_column("*")))
        .where(User.role.in_(OFFICER_ROLES), User.deleted_at.is_(None), User.country_code.is_not(None))
        .group_by(User.country_code, User.arrival, arrived, bucket)
    )
    if country:
        query = query.where(User.country_code == country)
    groups = []
    for code, planned, is_arrived, hour, count in (await session.execute(query)).all():
        day = None
        if is_arrived and hour is not None:
            instant = hour if isinstance(hour, datetime) else datetime.fromisoformat(str(hour))
            day = instant.replace(tzinfo=UTC).astimezone(PARIS).date()
        elif is_arrived:
            day = planned  # marked arrived without a time: count it on the planned day
        groups.append(_Group(code, planned, bool(is_arrived), day, int(count)))
    return groups


def _arrived_by(group: _Group, day: date) -> bool:
    return group.arrived and (group.arrived_day is None or group.arrived_day <= day)


def _country_row(code: str, lang: str, groups: list[_Group], day: date) -> CountryArrivals:
    def total(pred) -> int:  # type: ignore[no-untyped-def]
        return sum(g.count for g in groups if pred(g))

    return CountryArrivals(
        country=code,
        name=country_name(code, lang) if len(code) == 2 else code,
        officers=total(lambda g: True),
        expected=total(lambda g: g.planned == day),
        arrived=total(lambda g: g.planned == day and _arrived_by(g, day)),
        expected_by_day=total(lambda g: g.planned is not None and g.planned <= day),
        arrived_by_day=total(lambda g: _arrived_by(g, day)),
        late=total(lambda g: g.planned is not None and g.planned < day and not _arrived_by(g, day)),
    )


def _by_day(groups: list[_Group]) -> list[DayArrivals]:
    """Planned vs actual arrivals for every day from the first to the last, per country as [expected, arrived]."""
    days = {g.planned for g in groups if g.planned} | {g.arrived_day for g in groups if g.arrived_day}
    if not days:
        return []
    first, last = min(days), max(days)
    table: dict[date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for g in groups:
        if g.planned:
            table[g.planned][g.country][0] += g.count
        if g.arrived_day:
            table[g.arrived_day][g.country][1] += g.count
    out = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        per_country = {code: counts for code, counts in sorted(table.get(day, {}).items())}
        out.append(
            DayArrivals(
                day=day,
                expected=sum(c[0] for c in per_country.values()),
                arrived=sum(c[1] for c in per_country.values()),
                by_country=per_country,
            )
        )
    return out


async def _late(session: AsyncSession, country: str | None, day: date) -> tuple[list[LateOfficer], int]:
    """Planned before `day` and not arrived by its end (for today: not arrived at all), longest overdue first."""
    end = _start_of(day + timedelta(days=1))
    not_arrived = or_(User.status == "expected", and_(User.arrived_at.is_not(None), User.arrived_at >= end))
    query = _officers(country).where(User.arrival < day, not_arrived)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(
        select(User)
        .where(User.id.in_(query))
        .order_by(User.arrival, User.country_code, User.last_name, User.first_name)
        .limit(LATE_SHOWN)
    )
    late = [
        LateOfficer(
            id=u.id,
            name=u.name,
            country=u.country_code,
            accreditation_id=u.accreditation_id,
            planned_arrival=u.arrival,  # type: ignore[arg-type]
            days_late=(day - u.arrival).days,  # type: ignore[operator]
            arrived_at=u.arrived_at if u.status != "expected" else None,
        )
        for u in rows.scalars()
    ]
    return late, total


async def dashboard(session: AsyncSession, *, day: date, country: str | None, lang: str) -> ArrivalsOut:
    groups = await _groups(session, country)
    per_country: dict[str, list[_Group]] = defaultdict(list)
    for g in groups:
        per_country[g.country].append(g)
    late, late_total = await _late(session, country, day)
    return ArrivalsOut(
        day=day,
        timezone="Europe/Paris",
        country=country,
        totals=_country_row(country or "ALL", lang, groups, day),
        by_country=[_country_row(code, lang, rows, day) for code, rows in sorted(per_country.items())],
        by_day=_by_day(groups),
        late=late,
        late_total=late_total,
    )
