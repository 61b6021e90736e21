"""Who a notice reaches: the audience resolved and written as recipient rows in one INSERT … SELECT.

Resolving in the database keeps an 80,000-person broadcast to one statement, with no rows travelling
through Python; the rows then make counts and the pending list exact and cheap.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Uuid, func, insert, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.errors import Invalid
from liaison.notices.models import NoticeRecipient
from liaison.officers.models import Country, User
from liaison.shifts.models import Assignment, Shift
from liaison.sync.versioning import transaction_version
from liaison.venues.models import Venue

RECIPIENT_ROLES = ("officer", "delegation_lead")
DEFAULT_WINDOW = timedelta(hours=24)


class Audience:
    """A validated audience: any union of everyone / countries / venues in a window / officers / shifts."""

    def __init__(
        self,
        *,
        everyone: bool = False,
        countries: list[str] | None = None,
        venues: list[uuid.UUID] | None = None,
        officers: list[uuid.UUID] | None = None,
        shifts: list[uuid.UUID] | None = None,
        window: tuple[datetime, datetime],
    ) -> None:
        self.everyone = everyone
        self.countries = sorted({c.upper() for c in countries or []})
        self.venues = list(dict.fromkeys(venues or []))
        self.officers = list(dict.fromkeys(officers or []))
        self.shifts = list(dict.fromkeys(shifts or []))
        self.window = window

    @property
    def empty(self) -> bool:
        return not (self.everyone or self.countries or self.venues or self.officers or self.shifts)

    def as_record(self) -> dict[str, Any]:
        if self.everyone:
            return {"all": True}
        record: dict[str, Any] = {}
        if self.countries:
            record["countries"] = self.countries
        if self.venues:
            record["venues"] = [str(v) for v in self.venues]
            record["window"] = {"from": self.window[0].isoformat(), "to": self.window[1].isoformat()}
        if self.officers:
            record["officers"] = [str(o) for o in self.officers]
        if self.shifts:
            record["shifts"] = [str(s) for s in self.shifts]
        return record


async def validate(session: AsyncSession, audience: Audience) -> None:
    """Unknown countries, venues or officers are 422s naming the field, never silently dropped."""
    errors: list[dict[str, str]] = []
    if audience.countries:
        known = set((await session.execute(select(Country.code).where(Country.code.in_(audience.countries)))).scalars())
        errors += [
            {"field": "audience.countries", "message": f"{c} is not a participating country"}
            for c in audience.countries
            if c not in known
        ]
    if audience.venues:
        query = select(Venue.id).where(Venue.id.in_(audience.venues), Venue.deleted_at.is_(None))
        known_venues = set((await session.execute(query)).scalars())
        errors += [
            {"field": "audience.venues", "message": f"no venue {v}"} for v in audience.venues if v not in known_venues
        ]
    if audience.officers:
        query = select(User.id).where(
            User.id.in_(audience.officers), User.role.in_(RECIPIENT_ROLES), User.deleted_at.is_(None)
        )
        known_people = set((await session.execute(query)).scalars())
        errors += [
            {"field": "audience.officers", "message": f"no officer {o}"}
            for o in audience.officers
            if o not in known_people
        ]
    if errors:
        raise Invalid("The audience names someone or something unknown.", errors=errors)


def _working(window: tuple[datetime, datetime]) -> list[ColumnElement[bool]]:
    start, end = window
    return [
        Assignment.deleted_at.is_(None),
        Shift.deleted_at.is_(None),
        Shift.starts_at < end,
        Shift.ends_at > start,
    ]


def _members(audience: Audience) -> list[ColumnElement[bool]]:
    """Who is in the audience, as conditions on User (with the recipient roles, not deleted)."""
    conditions: list[ColumnElement[bool]] = []
    if audience.everyone:
        conditions.append(true())
    if audience.countries:
        conditions.append(User.country_code.in_(audience.countries))
    if audience.officers:
        conditions.append(User.id.in_(audience.officers))
    if audience.venues:
        at_venues = (
            select(Assignment.user_id)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Shift.venue_id.in_(audience.venues), *_working(audience.window))
        )
        conditions.append(User.id.in_(at_venues))
    if audience.shifts:
        on_shifts = select(Assignment.user_id).where(
            Assignment.shift_id.in_(audience.shifts), Assignment.deleted_at.is_(None)
        )
        conditions.append(User.id.in_(on_shifts))
    return [User.role.in_(RECIPIENT_ROLES), User.deleted_at.is_(None), or_(*conditions)]


def _recipients_query(audience: Audience, notice_id: uuid.UUID, version: int) -> Any:
    # Where each person works in the window (a targeted venue first), for the per-venue counts.
    venue_of = (
        select(Shift.venue_id)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(Assignment.user_id == User.id, *_working(audience.window))
    )
    if audience.venues:
        venue_of = venue_of.where(Shift.venue_id.in_(audience.venues))
    venue_of = venue_of.order_by(Shift.starts_at).limit(1).scalar_subquery()
    return select(
        literal(notice_id, Uuid()),
        User.id,
        User.country_code,
        venue_of,
        literal(version),
    ).where(*_members(audience))


async def materialize(session: AsyncSession, audience: Audience, notice_id: uuid.UUID) -> int:
    """Writes one recipient row per person in the audience; returns how many."""
    version = await transaction_version(session)
    columns = ["notice_id", "user_id", "country_code", "venue_id", "version"]
    table = NoticeRecipient.__table__
    await session.execute(
        insert(table).from_select(columns, _recipients_query(audience, notice_id, version))  # type: ignore[arg-type]
    )
    count = select(func.count()).select_from(table).where(table.c.notice_id == notice_id)
    return (await session.execute(count)).scalar_one()


async def breakdown(session: AsyncSession, audience: Audience) -> tuple[dict[str, int], dict[str, int]]:
    """How many people the audience reaches now, per country and per account language (nothing written)."""
    by_country: dict[str, int] = {}
    by_language: dict[str, int] = {}
    rows = await session.execute(
        select(User.country_code, User.locale, func.count())
        .where(*_members(audience))
        .group_by(User.country_code, User.locale)
    )
    for country, locale, n in rows.all():
        by_country[country or "—"] = by_country.get(country or "—", 0) + n
        by_language[locale or "en"] = by_language.get(locale or "en", 0) + n
    return by_country, by_language


def default_window(now: datetime) -> tuple[datetime, datetime]:
    return now, now + DEFAULT_WINDOW
