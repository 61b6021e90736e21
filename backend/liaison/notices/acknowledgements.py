"""Who acknowledged a notice: totals, per country, per venue, and the names still pending."""

from __future__ import annotations

import uuid

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.errors import Forbidden
from liaison.notices.models import Notice, NoticeRecipient
from liaison.notices.schemas import AcknowledgementsOut, CountOut, PendingOut
from liaison.officers.models import User
from liaison.venues.models import Venue


def scope_country(principal: Principal) -> str | None:
    """Coordinators see every country; a delegation lead only its own."""
    if principal.manages_all:
        return None
    if principal.role == "delegation_lead" and principal.country:
        return principal.country
    raise Forbidden("Only coordinators and delegation leads see acknowledgements.")


async def report(
    session: AsyncSession, principal: Principal, notice: Notice, *, limit: int, offset: int
) -> AcknowledgementsOut:
    country = scope_country(principal)
    r = NoticeRecipient
    scope = [r.notice_id == notice.id]
    if country:
        scope.append(r.country_code == country)
    acked = func.sum(case((r.acknowledged_at.is_not(None), 1), else_=0))

    by_country: dict[str, CountOut] = {}
    rows = await session.execute(select(r.country_code, func.count(), acked).where(*scope).group_by(r.country_code))
    for code, total, done in rows.all():
        by_country[code or "—"] = CountOut(audience=total, acknowledged=int(done or 0), pending=total - int(done or 0))

    by_venue: dict[str, CountOut] = {}
    rows = await session.execute(
        select(r.venue_id, Venue.name, func.count(), acked)
        .outerjoin(Venue, Venue.id == r.venue_id)
        .where(*scope, r.venue_id.is_not(None))
        .group_by(r.venue_id, Venue.name)
    )
    for venue_id, name, total, done in rows.all():
        by_venue[str(venue_id)] = CountOut(
            audience=total, acknowledged=int(done or 0), pending=total - int(done or 0), name=name
        )

    audience = sum(c.audience for c in by_country.values())
    acknowledged = sum(c.acknowledged for c in by_country.values())
    pending_rows = await session.execute(
        select(User.id, User.first_name, User.last_name, r.country_code, r.venue_id, User.locale)
        .join(User, User.id == r.user_id)
        .where(*scope, r.acknowledged_at.is_(None))
        .order_by(r.country_code, User.last_name, User.first_name, User.id)
        .limit(limit)
        .offset(offset)
    )
    pending = [
        PendingOut(id=uid, name=f"{first} {last}".strip(), country=code, venue_id=venue_id, locale=locale)
        for uid, first, last, code, venue_id, locale in pending_rows.all()
    ]
    return AcknowledgementsOut(
        notice_id=notice.id,
        audience=audience,
        acknowledged=acknowledged,
        pending_total=audience - acknowledged,
        by_country=by_country,
        by_venue=by_venue,
        pending=pending,
        limit=limit,
        offset=offset,
        country=country,
    )


async def pending_by_country(session: AsyncSession, notice_id: uuid.UUID) -> dict[str, list[str]]:
    """Names not yet acknowledged, grouped by country, sorted by name."""
    r = NoticeRecipient
    rows = await session.execute(
        select(r.country_code, User.first_name, User.last_name)
        .join(User, User.id == r.user_id)
        .where(r.notice_id == notice_id, r.acknowledged_at.is_(None), r.country_code.is_not(None))
        .order_by(r.country_code, User.last_name, User.first_name)
    )
    out: dict[str, list[str]] = {}
    for code, first, last in rows.all():
        out.setdefault(code, []).append(f"{first} {last}".strip())
    return out
