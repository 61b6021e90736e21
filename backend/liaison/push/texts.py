"""How assignment changes and shift reminders read on a phone, in the subscriber's language and Paris time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.database import utcnow
from liaison.i18n import catalogs
from liaison.i18n.locales import ui_locale
from liaison.push.messages import PushText, renderer
from liaison.push.models import PushJob
from liaison.shifts.models import Assignment, Shift
from liaison.venues.models import Venue

PARIS = ZoneInfo("Europe/Paris")
DOMAIN = "push"


def gettext(lang: str, message: str, **params: object) -> str:
    """The push catalog's translation (named `gettext` so `make i18n` extracts the calls)."""
    return catalogs.gettext(lang, message, domain=DOMAIN, **params)


def _babel_locale(lang: str) -> str:
    return ui_locale(lang).replace("-", "_")


def _parse(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def paris_time(lang: str, moment: datetime) -> str:
    return format_time(moment, "HH:mm", tzinfo=PARIS, locale=_babel_locale(lang))


def paris_range(lang: str, starts: datetime | None, ends: datetime | None) -> str:
    """`Sat 27 Jul, 14:00–22:00 (Paris time)`, in the reader's language; the zone is always named."""
    if starts is None:
        return ""
    loc = _babel_locale(lang)
    start = format_datetime(starts, "EEE d MMM, HH:mm", tzinfo=PARIS, locale=loc)
    if ends is None:
        text = start
    elif ends.astimezone(PARIS).date() == starts.astimezone(PARIS).date():
        text = f"{start}–{paris_time(lang, ends)}"
    else:
        text = f"{start} – {format_datetime(ends, 'EEE d MMM, HH:mm', tzinfo=PARIS, locale=loc)}"
    return gettext(lang, "{when} (Paris time)", when=text)


def _venue(side: dict[str, Any]) -> str:
    venue = side.get("venue") or side.get("venue_name") or ""
    if isinstance(venue, dict):
        venue = venue.get("name", "")
    return str(venue)


def _changes(lang: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per field that changed, old → new."""
    lines: list[str] = []
    old_when = paris_range(lang, _parse(before.get("starts_at")), _parse(before.get("ends_at")))
    new_when = paris_range(lang, _parse(after.get("starts_at")), _parse(after.get("ends_at")))
    if old_when != new_when and new_when:
        lines.append(gettext(lang, "Time: {old} → {new}", old=old_when or "—", new=new_when))
    if _venue(before) != _venue(after) and _venue(after):
        lines.append(gettext(lang, "Venue: {old} → {new}", old=_venue(before) or "—", new=_venue(after)))
    if before.get("task") != after.get("task") and after.get("task"):
        lines.append(gettext(lang, "Task: {old} → {new}", old=before.get("task") or "—", new=after["task"]))
    return lines


@renderer("assignment")
async def assignment_text(session: AsyncSession, job: PushJob, lang: str) -> PushText | None:
    params = job.params or {}
    change = params.get("change", "updated")
    before: dict[str, Any] = params.get("before") or {}
    after: dict[str, Any] = params.get("after") or {}
    # Opens the PWA's shift screen (or the schedule once the officer is off the shift).
    shift_id = after.get("shift_id") or before.get("shift_id")
    url = f"/schedule/{shift_id}" if shift_id and change != "unassigned" else "/schedule"
    if change == "assigned":
        task = after.get("task", "")
        when = paris_range(lang, _parse(after.get("starts_at")), _parse(after.get("ends_at")))
        body = gettext(lang, "{venue}, {when}", venue=_venue(after), when=when) if _venue(after) else when
        return PushText(gettext(lang, "New shift: {task}", task=task), body, url)
    if change == "unassigned":
        side = before or after
        when = paris_range(lang, _parse(side.get("starts_at")), _parse(side.get("ends_at")))
        body = gettext(
            lang, "You are no longer assigned to this shift: {venue}, {when}.", venue=_venue(side), when=when
        )
        return PushText(gettext(lang, "Removed from shift: {task}", task=side.get("task", "")), body, "/assignments")
    lines = _changes(lang, before, after) or [gettext(lang, "Details of your shift were updated.")]
    title = (
        gettext(lang, "Shift moved: {task}", task=after.get("task") or before.get("task", ""))
        if change == "moved"
        else gettext(lang, "Shift changed: {task}", task=after.get("task") or before.get("task", ""))
    )
    return PushText(title, "\n".join(lines), url)


@renderer("reminder")
async def reminder_text(session: AsyncSession, job: PushJob, lang: str) -> PushText | None:
    """Nothing is sent when the assignment was withdrawn or the shift has begun since the reminder was queued."""
    try:
        assignment_id = uuid.UUID(job.ref_id)
    except ValueError:
        return None
    row = (
        await session.execute(
            select(Assignment.status, Assignment.deleted_at, Shift.starts_at, Shift.ends_at, Shift.task, Venue)
            .join(Shift, Shift.id == Assignment.shift_id)
            .join(Venue, Venue.id == Shift.venue_id)
            .where(Assignment.id == assignment_id)
        )
    ).first()
    if row is None or row.deleted_at is not None or row.status != "assigned" or row.starts_at <= utcnow():
        return None
    venue: Venue = row.Venue
    title = gettext(lang, "Your shift starts at {time} (Paris time)", time=paris_time(lang, row.starts_at))
    if venue.meeting_point:
        body = gettext(
            lang,
            "{task} at {venue}. Meeting point: {meeting_point}",
            task=row.task,
            venue=venue.name,
            meeting_point=venue.meeting_point,
        )
    else:
        body = gettext(lang, "{task} at {venue}.", task=row.task, venue=venue.name)
    return PushText(title, body, f"/assignments/{assignment_id}")
