"""How people are shown through the API."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import Row

from liaison.i18n.locales import country_name, is_rtl, ui_locale
from liaison.officers.models import User, display_name


class UserOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    role: str
    country: str | None
    locale: str
    accreditation_id: str | None
    status: str
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    rank: str | None = None
    country_name: str | None = None
    dir: str = "ltr"


class OfficerOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    first_name: str
    last_name: str
    country: str | None
    accreditation_id: str | None
    locale: str
    status: str
    role: str
    rank: str | None
    email: str | None
    languages: list[str]
    arrival: date | None
    departure: date | None


def user_out(user: User | Row[Any], viewer_locale: str | None = None) -> UserOut:
    """`user`: an account, or a row of its columns (by the same names)."""
    shown_in = ui_locale(viewer_locale or user.locale)
    return UserOut(
        id=user.id,
        name=display_name(user.first_name, user.last_name, user.country_code),
        role=user.role,
        country=user.country_code,
        locale=user.locale,
        accreditation_id=user.accreditation_id,
        status=user.status,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        rank=user.rank,
        country_name=country_name(user.country_code, shown_in) if user.country_code else None,
        dir="rtl" if is_rtl(shown_in) else "ltr",
    )


def officer_out(user: User | Row[Any]) -> OfficerOut:
    """`user`: an account, or a row of its columns (by the same names)."""
    return OfficerOut(
        id=user.id,
        name=display_name(user.first_name, user.last_name, user.country_code),
        first_name=user.first_name,
        last_name=user.last_name,
        country=user.country_code,
        accreditation_id=user.accreditation_id,
        locale=user.locale,
        status=user.status,
        role=user.role,
        rank=user.rank,
        email=user.email,
        languages=list(user.languages or []),
        arrival=user.arrival,
        departure=user.departure,
    )
