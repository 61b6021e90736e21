"""What coordinators send and get back when they plan shifts and assignments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from liaison.shifts.models import Assignment

Task = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Headcount = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Language = Annotated[str, msgspec.Meta(min_length=2, max_length=16)]
Refusal = Literal["overlap", "rest_time", "not_available", "full", "already_assigned", "not_found", "checked_in"]


class ShiftIn(msgspec.Struct, kw_only=True):
    venue_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    task: Task
    headcount: Headcount = 1
    contact_name: Annotated[str, msgspec.Meta(max_length=120)] = ""
    contact_phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    languages: list[Language] = msgspec.field(default_factory=list)
    notes: Annotated[str, msgspec.Meta(max_length=4000)] = ""


class ShiftPatch(msgspec.Struct, kw_only=True, omit_defaults=True):
    venue_id: uuid.UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    task: Task | None = None
    headcount: Headcount | None = None
    contact_name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    contact_phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    languages: list[Language] | None = None
    notes: Annotated[str, msgspec.Meta(max_length=4000)] | None = None


class AssignIn(msgspec.Struct):
    officer_id: uuid.UUID


class BulkAssignIn(msgspec.Struct):
    officer_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=1000)]


class MoveIn(msgspec.Struct):
    shift_id: uuid.UUID


class PlannedAssignmentOut(msgspec.Struct):
    """The sync `assignment` shape, plus who the officer is for the planner's list."""

    id: uuid.UUID
    status: str
    shift_id: uuid.UUID
    officer_id: uuid.UUID
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    officer_name: str | None = None
    country: str | None = None
    languages: list[str] = msgspec.field(default_factory=list)


class BulkResult(msgspec.Struct, omit_defaults=True):
    officer_id: uuid.UUID
    status: Literal["assigned", "refused"]
    assignment_id: uuid.UUID | None = None
    reason: Refusal | None = None
    detail: str | None = None


class CheckIn(msgspec.Struct):
    officer_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=200)]


class CheckResult(msgspec.Struct, omit_defaults=True):
    """Would assigning this officer be accepted now? If not, the refusal the real call would give."""

    officer_id: uuid.UUID
    ok: bool
    reason: Refusal | None = None
    detail: str | None = None
    conflicting_shift_id: uuid.UUID | None = None


class CheckOut(msgspec.Struct):
    results: list[CheckResult]


class BulkOut(msgspec.Struct):
    assigned: int
    refused: int
    results: list[BulkResult]


def planned_out(
    a: Assignment, name: str | None = None, country: str | None = None, languages: list[str] | None = None
) -> PlannedAssignmentOut:
    return PlannedAssignmentOut(
        id=a.id,
        status=a.status,
        shift_id=a.shift_id,
        officer_id=a.user_id,
        checked_in_at=a.checked_in_at,
        checked_out_at=a.checked_out_at,
        officer_name=name,
        country=country,
        languages=list(languages or []),
    )
