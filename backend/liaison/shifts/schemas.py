"""How shifts and assignments are shown."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from liaison.shifts.models import Assignment, Shift
from liaison.venues.models import Venue
from liaison.venues.schemas import VenueOut, venue_out


class ShiftOut(msgspec.Struct):
    id: uuid.UUID
    venue_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    task: str
    headcount: int
    contact_name: str
    contact_phone: str
    languages: list[str]
    notes: str
    venue: VenueOut | None = None
    assigned: int | None = None


class AssignmentOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    officer_id: uuid.UUID
    shift: ShiftOut
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None


def shift_out(s: Shift, venue: Venue | None = None, assigned: int | None = None) -> ShiftOut:
    return ShiftOut(
        id=s.id,
        venue_id=s.venue_id,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        task=s.task,
        headcount=s.headcount,
        contact_name=s.contact_name,
        contact_phone=s.contact_phone,
        languages=list(s.languages or []),
        notes=s.notes,
        venue=venue_out(venue) if venue is not None else None,
        assigned=assigned,
    )


def assignment_out(a: Assignment, s: Shift, v: Venue) -> AssignmentOut:
    return AssignmentOut(
        id=a.id,
        status=a.status,
        officer_id=a.user_id,
        shift=shift_out(s, v),
        checked_in_at=a.checked_in_at,
        checked_out_at=a.checked_out_at,
    )
