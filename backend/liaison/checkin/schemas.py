"""Request and response bodies of accreditation, revocation, check-in and the arrivals dashboard."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from liaison.auth.schemas import EnrollmentOut
from liaison.i18n.locales import country_name
from liaison.officers.models import User

AccreditationId = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class AccreditationHolder(msgspec.Struct):
    name: str
    country: str | None
    country_name: str | None
    role: str
    rank: str | None


class AccreditationOut(msgspec.Struct):
    accreditation_id: str
    token: str
    kid: str
    issued_at: datetime
    not_before: datetime
    expires_at: datetime
    holder: AccreditationHolder
    jwks_url: str


class RevokeIn(msgspec.Struct):
    reason: Literal["lost", "withdrawn"]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class RevocationOut(msgspec.Struct):
    accreditation_id: str
    officer_id: uuid.UUID | None
    reason: str
    # Tokens carrying a `gen` claim below this are refused; `withdrawn` refuses every token.
    generation: int
    revoked_at: datetime
    note: str


class CheckinIn(msgspec.Struct):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)] | None = None
    accreditation_id: AccreditationId | None = None
    occurred_at: datetime | None = None
    # Make a single-use enrollment code for the officer's phone when it has none yet.
    enroll: bool = True


class CheckinOfficer(msgspec.Struct):
    id: uuid.UUID
    name: str
    first_name: str
    last_name: str
    country: str | None
    country_name: str | None
    accreditation_id: str | None
    role: str
    rank: str | None
    locale: str
    languages: list[str]
    status: str
    arrival: date | None
    departure: date | None
    arrived_at: datetime | None


class CheckinOut(msgspec.Struct):
    """One scan, as GET /api/checkins lists it and the `checkin` sync entity carries it."""

    id: uuid.UUID
    officer_id: uuid.UUID
    accreditation_id: str
    result: str
    method: str
    source: str
    occurred_at: datetime
    received_at: datetime
    desk_user_id: uuid.UUID | None
    device_id: uuid.UUID | None
    first_checkin_id: uuid.UUID | None
    conflict: bool
    reviewed_at: datetime | None


class CheckinResult(msgspec.Struct):
    result: Literal["checked_in", "already_checked_in"]
    officer: CheckinOfficer
    checked_in_at: datetime | None
    checkin: CheckinOut
    message: str
    lang: str
    enrollment: EnrollmentOut | None = None


class ConflictOut(msgspec.Struct):
    id: uuid.UUID
    officer: CheckinOfficer
    first: CheckinOut | None
    second: CheckinOut
    reviewed_at: datetime | None


class CountryArrivals(msgspec.Struct):
    """For the chosen day: `expected`/`arrived` are those planned that day (and how many of them came);
    `*_by_day` are cumulative to the end of the day; `late` planned earlier and not arrived by then."""

    country: str
    name: str
    officers: int
    expected: int
    arrived: int
    arrived_by_day: int
    expected_by_day: int
    late: int


class DayArrivals(msgspec.Struct):
    day: date
    # Planned to arrive that day, and actually arrived that day (Paris time), whatever their plan.
    expected: int
    arrived: int
    by_country: Annotated[
        dict[str, list[int]], msgspec.Meta(description="Country code → [expected, arrived] on that day")
    ]


class LateOfficer(msgspec.Struct):
    id: uuid.UUID
    name: str
    country: str | None
    accreditation_id: str | None
    planned_arrival: date
    days_late: int
    arrived_at: datetime | None


class ArrivalsOut(msgspec.Struct):
    day: date
    timezone: str
    country: str | None
    totals: CountryArrivals
    by_country: list[CountryArrivals]
    by_day: list[DayArrivals]
    late: list[LateOfficer]
    late_total: int


def officer_card(user: User, viewer_locale: str) -> CheckinOfficer:
    return CheckinOfficer(
        id=user.id,
        name=user.name,
        first_name=user.first_name,
        last_name=user.last_name,
        country=user.country_code,
        country_name=country_name(user.country_code, viewer_locale) if user.country_code else None,
        accreditation_id=user.accreditation_id,
        role=user.role,
        rank=user.rank,
        locale=user.locale,
        languages=list(user.languages or []),
        status=user.status,
        arrival=user.arrival,
        departure=user.departure,
        arrived_at=user.arrived_at,
    )
