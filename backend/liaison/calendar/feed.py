"""Building an officer's shifts as RFC 5545 iCalendar, in Europe/Paris, readable by any phone calendar.

Each assignment is one VEVENT whose UID never changes (moves and edits keep it); SEQUENCE is the highest
sync version of the assignment and its shift, so it grows with every change; a removed assignment or a
cancelled shift stays in the feed as STATUS:CANCELLED so subscribed calendars drop it instead of keeping
a stale entry.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.database import utcnow
from liaison.i18n.catalogs import gettext
from liaison.officers.models import User
from liaison.shifts.models import Assignment, Shift
from liaison.venues.models import Venue

PARIS = ZoneInfo("Europe/Paris")
DOMAIN = "calendar"
# Past shifts kept in the feed: enough for a fortnight's event and its aftermath, small for the phone.
HISTORY = timedelta(days=60)
UID_DOMAIN = "liaison"


def event_uid(assignment_id: uuid.UUID) -> str:
    return f"assignment-{assignment_id}@{UID_DOMAIN}"


def _summary(lang: str, task: str, venue: str, cancelled: bool) -> str:
    text = gettext(lang, "{task} at {venue}", domain=DOMAIN, task=task, venue=venue)
    return gettext(lang, "Cancelled: {summary}", domain=DOMAIN, summary=text) if cancelled else text


def _description(lang: str, shift: Shift, venue: Venue) -> str:
    lines = [gettext(lang, "Times are Paris time (Europe/Paris).", domain=DOMAIN)]
    if shift.contact_name or shift.contact_phone:
        contact = ", ".join(p for p in (shift.contact_name, shift.contact_phone) if p)
        lines.append(gettext(lang, "French contact: {contact}", domain=DOMAIN, contact=contact))
    if venue.meeting_point:
        lines.append(gettext(lang, "Meeting point: {place}", domain=DOMAIN, place=venue.meeting_point))
    if shift.notes:
        lines.append(gettext(lang, "Notes: {notes}", domain=DOMAIN, notes=shift.notes))
    return "\n".join(lines)


def _event(lang: str, assignment: Assignment, shift: Shift, venue: Venue, stamp: datetime) -> Event:
    cancelled = assignment.deleted_at is not None or shift.deleted_at is not None
    event = Event()
    event.add("uid", event_uid(assignment.id))
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.starts_at.astimezone(PARIS))
    event.add("dtend", shift.ends_at.astimezone(PARIS))
    event.add("sequence", max(assignment.version, shift.version))
    event.add("last-modified", max(d for d in (shift.updated_at, assignment.created_at, assignment.deleted_at) if d))
    event.add("summary", _summary(lang, shift.task, venue.name, cancelled))
    event.add("location", ", ".join(p for p in (venue.name, venue.address, venue.city) if p))
    event.add("geo", (venue.latitude, venue.longitude))
    event.add("description", _description(lang, shift, venue))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("categories", [gettext(lang, "Liaison shift", domain=DOMAIN)])
    return event


def _calendar(lang: str, name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Liaison//Shifts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", gettext(lang, "Liaison shifts – {name}", domain=DOMAIN, name=name))
    cal.add("x-wr-timezone", "Europe/Paris")
    # Subscribed calendars poll; hourly keeps changes close without hammering the server.
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", timedelta(hours=1))
    return cal


async def _rows(session: AsyncSession, user_id: uuid.UUID, assignment_id: uuid.UUID | None) -> list[Any]:
    query = (
        select(Assignment, Shift, Venue)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Venue, Venue.id == Shift.venue_id)
        .where(Assignment.user_id == user_id)
        .order_by(Shift.starts_at, Assignment.id)
    )
    if assignment_id is not None:
        query = query.where(Assignment.id == assignment_id, Assignment.deleted_at.is_(None))
    else:
        query = query.where(or_(Shift.ends_at > utcnow() - HISTORY, Assignment.deleted_at.is_(None)))
    return list((await session.execute(query)).all())


async def officer_calendar(session: AsyncSession, user: User, assignment_id: uuid.UUID | None = None) -> bytes | None:
    """The person's feed (every assignment, cancelled ones marked), or one assignment's event (None if unknown)."""
    rows = await _rows(session, user.id, assignment_id)
    if assignment_id is not None and not rows:
        return None
    lang = user.locale
    cal = _calendar(lang, user.name)
    stamp = utcnow().replace(microsecond=0)
    for assignment, shift, venue in rows:
        cal.add_component(_event(lang, assignment, shift, venue, stamp))
    # The zone's rules (VTIMEZONE) for every TZID used, from the system's tz database.
    cal.add_missing_timezones()
    return cal.to_ical()
