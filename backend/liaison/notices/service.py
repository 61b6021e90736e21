"""Sending, updating, cancelling, listing and acknowledging notices and briefings (one mechanism, two kinds)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.audit.service import record
from liaison.auth.principal import Principal
from liaison.console.live import emit
from liaison.database import utcnow
from liaison.errors import Conflict, Invalid, NotFound
from liaison.i18n.locales import is_known_locale, normalize
from liaison.notices.audience import Audience, breakdown, default_window, materialize, validate
from liaison.notices.models import Notice, NoticeRecipient
from liaison.notices.schemas import AudienceIn, AudiencePreviewIn, AudiencePreviewOut, NoticeIn
from liaison.push.outbox import enqueue_push
from liaison.shifts.models import Assignment, Shift
from liaison.sync.versioning import transaction_version
from liaison.venues.models import Venue

PARIS = ZoneInfo("Europe/Paris")
PUSH_TTL = {"urgent": 6 * 3600, "important": 24 * 3600, "info": 24 * 3600}


def paris_day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=PARIS)
    return start, datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=PARIS)


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise Invalid(f"{name} needs a UTC offset", errors=[{"field": name, "message": "add a UTC offset"}])


def clean_content(content: dict[str, Any]) -> dict[str, dict[str, str]]:
    if not content:
        raise Invalid("Write the text in at least one language.", errors=[{"field": "content", "message": "empty"}])
    cleaned: dict[str, dict[str, str]] = {}
    errors: list[dict[str, str]] = []
    for tag, text in content.items():
        if not is_known_locale(tag):
            errors.append({"field": f"content.{tag}", "message": "unknown language tag"})
            continue
        if not text.title.strip():
            errors.append({"field": f"content.{tag}.title", "message": "empty title"})
            continue
        cleaned[normalize(tag)] = {"title": text.title.strip(), "body": text.body.strip(), "source": text.source}
    if errors:
        raise Invalid("Some languages of the text cannot be used.", errors=errors)
    return cleaned


async def _attachment(session: AsyncSession, data: NoticeIn) -> tuple[uuid.UUID | None, date | None]:
    """A briefing's venue and date, checked; a shift implies both."""
    venue_id, on_date = data.venue_id, data.date
    if data.shift_id is not None:
        shift = await session.get(Shift, data.shift_id)
        if shift is None or shift.deleted_at is not None:
            raise Invalid("No such shift.", errors=[{"field": "shift_id", "message": f"no shift {data.shift_id}"}])
        venue_id = venue_id or shift.venue_id
        on_date = on_date or shift.starts_at.astimezone(PARIS).date()
    if venue_id is not None:
        venue = await session.get(Venue, venue_id)
        if venue is None or venue.deleted_at is not None:
            raise Invalid("No such venue.", errors=[{"field": "venue_id", "message": f"no venue {venue_id}"}])
    return venue_id, on_date


def _audience(data: NoticeIn, venue_id: uuid.UUID | None, on_date: date | None, now: datetime) -> Audience:
    spec: AudienceIn | None = data.audience
    if spec is None:
        # A briefing tied to a shift goes to that shift's people; tied to a venue, to who works there that day.
        if data.shift_id is not None:
            return Audience(shifts=[data.shift_id], window=default_window(now))
        if venue_id is not None:
            window = paris_day(on_date) if on_date else default_window(now)
            return Audience(venues=[venue_id], window=window)
        raise Invalid("Say who this is for.", errors=[{"field": "audience", "message": "required"}])
    if spec.window is not None:
        _aware("audience.window.from", spec.window.from_)
        _aware("audience.window.to", spec.window.to)
        if spec.window.to <= spec.window.from_:
            raise Invalid(
                "The window ends before it starts.", errors=[{"field": "audience.window", "message": "empty"}]
            )
        window = (spec.window.from_, spec.window.to)
    elif on_date is not None:
        window = paris_day(on_date)
    else:
        window = default_window(now)
    audience = Audience(
        everyone=spec.all, countries=spec.countries, venues=spec.venues, officers=spec.officers, window=window
    )
    if audience.empty:
        raise Invalid(
            "Say who this is for: all, countries, venues or officers.",
            errors=[{"field": "audience", "message": "empty"}],
        )
    return audience


async def preview_audience(session: AsyncSession, data: AudiencePreviewIn) -> AudiencePreviewOut:
    """The live count of a composer's audience, checked exactly as sending would check it."""
    spec = NoticeIn(content={}, audience=data.audience, venue_id=data.venue_id, shift_id=data.shift_id, date=data.date)
    venue_id, on_date = await _attachment(session, spec)
    audience = _audience(spec, venue_id, on_date, utcnow())
    await validate(session, audience)
    by_country, by_language = await breakdown(session, audience)
    return AudiencePreviewOut(total=sum(by_country.values()), by_country=by_country, by_language=by_language)


async def recipient_ids(session: AsyncSession, notice_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.execute(select(NoticeRecipient.user_id).where(NoticeRecipient.notice_id == notice_id))
    return list(rows.scalars())


async def get_notice(session: AsyncSession, kind: str, notice_id: uuid.UUID) -> Notice:
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.kind != kind or notice.deleted_at is not None:
        raise NotFound(f"No {kind} {notice_id}.")
    return notice


def push_new(session: AsyncSession, notice: Notice, user_ids: list[uuid.UUID], event: str) -> None:
    enqueue_push(
        session,
        kind=notice.kind,  # type: ignore[arg-type]
        ref_id=notice.id,
        user_ids=user_ids,
        urgency="high" if notice.priority == "urgent" else "normal",
        ttl=PUSH_TTL[notice.priority],
        params={"event": event},
    )


async def send(session: AsyncSession, actor: Principal, kind: str, data: NoticeIn) -> Notice:
    """Writes the notice, its recipients, its push and its audit entry in one transaction."""
    now = utcnow()
    content = clean_content(data.content)
    _aware("ack_deadline", data.ack_deadline)
    if data.ack_deadline is not None:
        if not data.requires_ack:
            raise Invalid(
                "A deadline needs requires_ack.",
                errors=[{"field": "ack_deadline", "message": "set requires_ack to true"}],
            )
        if data.ack_deadline <= now:
            raise Invalid("The deadline is already past.", errors=[{"field": "ack_deadline", "message": "past"}])
    venue_id, on_date = await _attachment(session, data)
    audience = _audience(data, venue_id, on_date, now)
    await validate(session, audience)
    original = None
    if data.supersedes is not None:
        original = await session.get(Notice, data.supersedes)
        if original is None or original.kind != kind:
            raise Invalid(
                "Nothing to update.", errors=[{"field": "supersedes", "message": f"no {kind} {data.supersedes}"}]
            )
        if original.superseded_at is not None or original.cancelled_at is not None:
            raise Conflict(f"This {kind} was already updated or cancelled.", reason="not_active")
    notice = Notice(
        id=uuid.uuid4(),
        kind=kind,
        priority=data.priority,
        requires_ack=data.requires_ack,
        audience=audience.as_record(),
        content=content,
        created_by=actor.user_id,
        created_at=now,
        ack_deadline=data.ack_deadline,
        supersedes_id=original.id if original else None,
        venue_id=venue_id,
        shift_id=data.shift_id,
        on_date=on_date,
    )
    session.add(notice)
    await session.flush()
    count = await materialize(session, audience, notice.id)
    if count == 0:
        raise Invalid(
            "Nobody is in this audience (yet): nothing was sent.",
            errors=[{"field": "audience", "message": "no officer matches"}],
            reason="empty_audience",
        )
    notice.recipients = count
    if original is not None:
        # The original leaves its readers' lists (a delete in sync) and the update takes its place.
        original.superseded_at, original.superseded_by_id = now, notice.id
    push_new(session, notice, await recipient_ids(session, notice.id), "updated" if original else "new")
    await record(
        session,
        actor,
        f"{kind}.{'update' if original else 'send'}",
        (kind, notice.id),
        {
            "priority": notice.priority,
            "requires_ack": notice.requires_ack,
            "audience": notice.audience,
            "recipients": count,
            "languages": sorted(content),
            "supersedes": original.id if original else None,
        },
    )
    emit(session, {"type": kind, "event": "sent", "id": str(notice.id), "audience": count, "acknowledged": 0})
    await session.commit()
    return notice


async def cancel(session: AsyncSession, actor: Principal, kind: str, notice_id: uuid.UUID, reason: str) -> Notice:
    notice = await get_notice(session, kind, notice_id)
    if notice.superseded_at is not None:
        raise Conflict(f"This {kind} was replaced by an update; cancel the update.", reason="superseded")
    if notice.cancelled_at is not None:
        return notice
    notice.cancelled_at, notice.cancelled_by, notice.cancel_reason = utcnow(), actor.user_id, reason.strip() or None
    enqueue_push(
        session,
        kind=kind,  # type: ignore[arg-type]
        ref_id=notice.id,
        user_ids=await recipient_ids(session, notice.id),
        urgency="high" if notice.priority == "urgent" else "normal",
        ttl=PUSH_TTL[notice.priority],
        params={"event": "cancelled"},
    )
    await record(session, actor, f"{kind}.cancel", (kind, notice.id), {"reason": notice.cancel_reason})
    emit(session, {"type": kind, "event": "cancelled", "id": str(notice.id)})
    await session.commit()
    return notice


async def acknowledged_count(session: AsyncSession, notice_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        NoticeRecipient.notice_id == notice_id, NoticeRecipient.acknowledged_at.is_not(None)
    )
    return (await session.execute(query)).scalar_one()


async def acknowledged_counts(session: AsyncSession, notice_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Acknowledgements per notice for a page of notices, in one query."""
    if not notice_ids:
        return {}
    query = (
        select(NoticeRecipient.notice_id, func.count())
        .where(NoticeRecipient.notice_id.in_(notice_ids), NoticeRecipient.acknowledged_at.is_not(None))
        .group_by(NoticeRecipient.notice_id)
    )
    counts = {notice_id: n for notice_id, n in (await session.execute(query)).all()}
    return {notice_id: counts.get(notice_id, 0) for notice_id in notice_ids}


async def acknowledge(
    session: AsyncSession, principal: Principal, kind: str, notice_id: uuid.UUID, at: datetime | None = None
) -> tuple[Notice, NoticeRecipient]:
    """Records the caller's acknowledgement once (a second one changes nothing); does not commit."""
    notice = await get_notice(session, kind, notice_id)
    recipient = await session.get(NoticeRecipient, (notice_id, principal.user_id))
    if recipient is None:
        raise NotFound(f"No {kind} {notice_id}.")
    if recipient.acknowledged_at is not None:
        return notice, recipient
    if notice.superseded_at is not None:
        raise Conflict(f"This {kind} was replaced by an update: acknowledge the new one.", reason="superseded")
    now = utcnow()
    # An acknowledgement made offline keeps its time, but never one in the future or before the sending.
    when = min(max(at, notice.created_at), now) if at is not None else now
    version = await transaction_version(session)
    changed = await session.execute(
        update(NoticeRecipient)
        .where(
            and_(
                NoticeRecipient.notice_id == notice_id,
                NoticeRecipient.user_id == principal.user_id,
                NoticeRecipient.acknowledged_at.is_(None),
            )
        )
        .values(acknowledged_at=when, version=version)
    )
    await session.refresh(recipient)
    if changed.rowcount:  # type: ignore[attr-defined]
        emit(
            session,
            {
                "type": "ack",
                "kind": kind,
                "id": str(notice_id),
                "audience": notice.recipients,
                "acknowledged": await acknowledged_count(session, notice_id),
                "country": principal.country,
            },
        )
    return notice, recipient


async def list_for(
    session: AsyncSession, principal: Principal, kind: str, *, limit: int, offset: int
) -> tuple[list[tuple[Notice, NoticeRecipient | None]], int]:
    """A reader's notices (newest first); coordinators see every one sent, with counts."""
    if principal.manages_all:
        base = select(Notice).where(Notice.kind == kind, Notice.deleted_at.is_(None))
        total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        rows = await session.execute(base.order_by(Notice.created_at.desc(), Notice.id).limit(limit).offset(offset))
        return [(n, None) for n in rows.scalars()], total
    base = (
        select(Notice, NoticeRecipient)
        .join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
        .where(
            NoticeRecipient.user_id == principal.user_id,
            Notice.kind == kind,
            Notice.deleted_at.is_(None),
            Notice.superseded_at.is_(None),
        )
    )
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = await session.execute(base.order_by(Notice.created_at.desc(), Notice.id).limit(limit).offset(offset))
    return [(n, r) for n, r in rows.all()], total


async def get_for(
    session: AsyncSession, principal: Principal, kind: str, notice_id: uuid.UUID
) -> tuple[Notice, NoticeRecipient | None]:
    notice = await get_notice(session, kind, notice_id)
    if principal.manages_all:
        return notice, None
    recipient = await session.get(NoticeRecipient, (notice_id, principal.user_id))
    if recipient is None:
        raise NotFound(f"No {kind} {notice_id}.")
    return notice, recipient


async def todays_briefings(
    session: AsyncSession, principal: Principal, day: date
) -> list[tuple[Notice, NoticeRecipient]]:
    """The caller's briefings for `day`: dated that day, or tied to one of the caller's shifts that day."""
    start, end = paris_day(day)
    my_shifts = (
        select(Shift.id)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.user_id == principal.user_id,
            Assignment.deleted_at.is_(None),
            Shift.deleted_at.is_(None),
            Shift.starts_at < end,
            Shift.ends_at > start,
        )
    )
    query = (
        select(Notice, NoticeRecipient)
        .join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
        .where(
            NoticeRecipient.user_id == principal.user_id,
            Notice.kind == "briefing",
            Notice.deleted_at.is_(None),
            Notice.superseded_at.is_(None),
            Notice.cancelled_at.is_(None),
            (Notice.on_date == day) | Notice.shift_id.in_(my_shifts),
        )
        .order_by(Notice.created_at.desc())
    )
    return [(n, r) for n, r in (await session.execute(query)).all()]
