"""Finding officers, within what the caller may see."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, cast, func, or_, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.errors import Forbidden, NotFound
from liaison.officers.models import User

OFFICER_ROLES = ("officer", "delegation_lead")


def visible_country(principal: Principal, requested: str | None) -> str | None:
    """A delegation lead sees only its own country, whatever it asks for."""
    if principal.role == "delegation_lead":
        if requested and requested.upper() != principal.country:
            raise Forbidden("A delegation lead sees only its own country.")
        return principal.country
    return requested.upper() if requested else None


def speaks(dialect: str, language: str) -> ColumnElement[bool]:
    """Officers whose spoken languages (base codes, a JSON list) include `language`."""
    base = language.strip().replace("_", "-").split("-")[0].lower()
    if dialect == "postgresql":
        return cast(User.__table__.c.languages, JSONB).contains([base])
    return text("EXISTS (SELECT 1 FROM json_each(users.languages) WHERE json_each.value = :speaks)").bindparams(
        speaks=base
    )


def _filtered(
    country: str | None, q: str | None, status: str | None, language: ColumnElement[bool] | None = None
) -> Select[tuple[User]]:
    query = select(User).where(User.role.in_(OFFICER_ROLES), User.deleted_at.is_(None))
    if country:
        query = query.where(User.country_code == country)
    if language is not None:
        query = query.where(language)
    if status:
        query = query.where(User.status == status)
    if q:
        like = f"%{q.strip().lower()}%"
        full_name = func.lower(User.first_name + " " + User.last_name)
        query = query.where(
            or_(full_name.like(like), func.lower(User.email).like(like), func.lower(User.accreditation_id).like(like))
        )
    return query


async def search(
    session: AsyncSession,
    principal: Principal,
    *,
    country: str | None,
    q: str | None,
    status: str | None,
    limit: int,
    offset: int,
    language: str | None = None,
) -> tuple[list[User], int]:
    spoken = speaks(session.get_bind().dialect.name, language) if language else None
    query = _filtered(visible_country(principal, country), q, status, spoken)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(query.order_by(User.last_name, User.first_name, User.id).limit(limit).offset(offset))
    return list(rows.scalars()), total


async def get_visible(session: AsyncSession, principal: Principal, officer_id: uuid.UUID) -> User:
    user = await session.get(User, officer_id)
    if user is None or user.deleted_at is not None or user.role not in OFFICER_ROLES:
        raise NotFound(f"No officer {officer_id}.")
    if principal.role == "delegation_lead" and user.country_code != principal.country:
        raise NotFound(f"No officer {officer_id}.")
    return user
