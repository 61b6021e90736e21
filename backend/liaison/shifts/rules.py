"""The planning rules an assignment must keep: no overlap, enough rest, within the stay, not over headcount.

Each check returns a `Refused` (a machine reason for clients plus a sentence in the coordinator's language)
or None. The service calls them while holding the locks that make the answer stay true until commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.i18n.catalogs import gettext
from liaison.officers.models import User
from liaison.shifts.models import Assignment, Shift
from liaison.venues.models import Venue

PARIS = ZoneInfo("Europe/Paris")
DOMAIN = "shifts"
# A shift never lasts longer than this; it bounds the index range scans that look for neighbours.
MAX_SHIFT = timedelta(hours=24)


@dataclass(frozen=True)
class Refused:
    reason: str
    detail: str
    shift_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Slot:
    """Where and when an officer would work: a shift as it is, or as an edit would make it."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


def paris(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m %H:%M")


def paris_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def stay_refusal(lang: str, officer: User, slot: Slot) -> Refused | None:
    """Arrival and departure are Paris calendar days; the whole shift must fall inside them."""
    first = paris_day(slot.starts_at)
    # A shift ending at midnight sharp belongs to the day before.
    last = paris_day(slot.ends_at - timedelta(microseconds=1))
    if (officer.arrival is None or officer.arrival <= first) and (
        officer.departure is None or last <= officer.departure
    ):
        return None
    detail = gettext(
        lang,
        "{name} is not in Paris for this shift: their stay runs from {arrival} to {departure}.",
        domain=DOMAIN,
        name=officer.name,
        arrival=officer.arrival.strftime("%d/%m/%Y") if officer.arrival else "…",
        departure=officer.departure.strftime("%d/%m/%Y") if officer.departure else "…",
    )
    return Refused("not_available", detail)


async def schedule_refusal(
    session: AsyncSession, lang: str, officer: User, slot: Slot, rest: timedelta, ignore: set[uuid.UUID]
) -> Refused | None:
    """Overlap first (it is the worse mistake), then rest time, against the officer's other live shifts."""
    rows = (
        await session.execute(
            select(Shift.id, Shift.starts_at, Shift.ends_at, Venue.name)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .join(Venue, Venue.id == Shift.venue_id)
            .where(
                Assignment.user_id == officer.id,
                Assignment.deleted_at.is_(None),
                Shift.deleted_at.is_(None),
                Shift.starts_at < slot.ends_at + rest,
                Shift.starts_at > slot.starts_at - rest - MAX_SHIFT,
                Shift.ends_at > slot.starts_at - rest,
            )
            .order_by(Shift.starts_at)
        )
    ).all()
    rows = [r for r in rows if r.id not in ignore and r.id != slot.id]
    for row in rows:
        if row.starts_at < slot.ends_at and row.ends_at > slot.starts_at:
            detail = gettext(
                lang,
                "{name} already works at that time: {start} to {end} at {venue} (Paris time).",
                domain=DOMAIN,
                name=officer.name,
                start=paris(row.starts_at),
                end=paris(row.ends_at),
                venue=row.name,
            )
            return Refused("overlap", detail, row.id)
    for row in rows:
        gap = slot.starts_at - row.ends_at if row.ends_at <= slot.starts_at else row.starts_at - slot.ends_at
        if gap < rest:
            detail = gettext(
                lang,
                "{name} would rest only {gap} h between this shift and the one at {venue} ({start}); "
                "the minimum is {minimum} h.",
                domain=DOMAIN,
                name=officer.name,
                gap=_hours(gap),
                venue=row.name,
                start=paris(row.starts_at),
                minimum=_hours(rest),
            )
            return Refused("rest_time", detail, row.id)
    return None


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f}" if hours == int(hours) else f"{hours:.1f}"


async def live_count(session: AsyncSession, shift_id: uuid.UUID) -> int:
    return (
        await session.execute(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.shift_id == shift_id, Assignment.deleted_at.is_(None))
        )
    ).scalar_one()


def full_refusal(lang: str, assigned: int, headcount: int) -> Refused | None:
    if assigned < headcount:
        return None
    detail = gettext(
        lang,
        "This shift is full: {assigned} of {headcount} officers are already assigned.",
        domain=DOMAIN,
        assigned=assigned,
        headcount=headcount,
    )
    return Refused("full", detail)


def already_refusal(lang: str, officer: User) -> Refused:
    return Refused(
        "already_assigned",
        gettext(lang, "{name} is already assigned to this shift.", domain=DOMAIN, name=officer.name),
    )
