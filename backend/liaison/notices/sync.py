"""Notices and briefings in sync (pull sources, offline acknowledgements) and their push texts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.errors import Invalid
from liaison.i18n.catalogs import N_, gettext
from liaison.notices import service
from liaison.notices.models import Notice, NoticeRecipient
from liaison.notices.views import as_data, notice_out, pick
from liaison.push.messages import PushText, renderer
from liaison.push.models import PushJob
from liaison.sync.registry import SyncChange, mutation, pull_source

DOMAIN = "notices"
BODY_LIMIT = 240
URGENT = N_("URGENT: {title}")
UPDATED = N_("Updated: {title}")
CANCELLED = N_("Cancelled: {title}")
BRIEFING = N_("Briefing: {title}")
CANCELLED_BODY = N_("This message was cancelled. You can disregard it.")


async def _changed(session: AsyncSession, principal: Principal, kind: str, after: int, upto: int) -> list[SyncChange]:
    """The caller's notices of `kind` sent, acknowledged, cancelled or replaced in (after, upto]."""
    r = NoticeRecipient
    in_range = or_(
        and_(r.version > after, r.version <= upto),
        and_(Notice.version > after, Notice.version <= upto),
    )
    query = (
        select(Notice, r)
        .join(r, r.notice_id == Notice.id)
        .where(r.user_id == principal.user_id, Notice.kind == kind, in_range)
    )
    if after == 0:
        # A first pull needs no deletes for what the phone never had.
        query = query.where(Notice.superseded_at.is_(None), Notice.deleted_at.is_(None))
    changes = []
    for notice, recipient in (await session.execute(query)).all():
        version = min(max(recipient.version, notice.version), upto)
        if notice.superseded_at is not None or notice.deleted_at is not None:
            # Replaced by an update (which may not include this person): gone from this phone.
            changes.append(SyncChange(entity=kind, id=str(notice.id), op="delete", data=None, version=version))
            continue
        data = as_data(notice_out(notice, principal.locale, None, recipient))
        changes.append(SyncChange(entity=kind, id=str(notice.id), op="upsert", data=data, version=version))
    return sorted(changes, key=lambda c: c.version)


@pull_source("notice")
async def notices_changed(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[SyncChange]:
    return await _changed(session, principal, "notice", after, upto)


@pull_source("briefing")
async def briefings_changed(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[SyncChange]:
    return await _changed(session, principal, "briefing", after, upto)


def _notice_id(args: dict[str, Any]) -> uuid.UUID:
    # The PWA names the id after what it acknowledges (notice_id, briefing_id); scripts may say `id`.
    try:
        return uuid.UUID(str(args.get("id") or args.get("notice_id") or args.get("briefing_id")))
    except ValueError:
        raise Invalid(
            "args.id must be the notice's id", errors=[{"field": "args.id", "message": "not a UUID"}]
        ) from None


async def _ack(
    session: AsyncSession, principal: Principal, kind: str, args: dict[str, Any], occurred_at: datetime
) -> dict[str, Any]:
    notice, recipient = await service.acknowledge(session, principal, kind, _notice_id(args), occurred_at)
    return as_data(notice_out(notice, principal.locale, None, recipient))


@mutation("notice.ack")
async def ack_notice(
    session: AsyncSession, principal: Principal, args: dict[str, Any], occurred_at: datetime
) -> dict[str, Any]:
    return await _ack(session, principal, "notice", args, occurred_at)


@mutation("briefing.ack")
async def ack_briefing(
    session: AsyncSession, principal: Principal, args: dict[str, Any], occurred_at: datetime
) -> dict[str, Any]:
    return await _ack(session, principal, "briefing", args, occurred_at)


def _short(text: str) -> str:
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1].rstrip() + "…"


async def _text(session: AsyncSession, job: PushJob, locale: str) -> PushText | None:
    try:
        notice = await session.get(Notice, uuid.UUID(job.ref_id))
    except ValueError:
        return None
    if notice is None or notice.deleted_at is not None:
        return None
    event = (job.params or {}).get("event", "new")
    _, content = pick(notice.content, locale, None)
    title, body = content.get("title", ""), content.get("body", "")
    url = f"/notices?id={notice.id}"  # the PWA's notices screen lists notices and briefings
    if event == "cancelled":
        title = gettext(locale, CANCELLED, domain=DOMAIN, title=title)
        reason = notice.cancel_reason or gettext(locale, CANCELLED_BODY, domain=DOMAIN)
        return PushText(title=title, body=_short(reason), url=url)
    # Replaced or cancelled before the push went out: the phone learns the newer state by sync instead.
    if notice.superseded_at is not None or notice.cancelled_at is not None:
        return None
    if event == "updated":
        title = gettext(locale, UPDATED, domain=DOMAIN, title=title)
    elif notice.kind == "briefing":
        title = gettext(locale, BRIEFING, domain=DOMAIN, title=title)
    if notice.priority == "urgent":
        title = gettext(locale, URGENT, domain=DOMAIN, title=title)
    return PushText(title=title, body=_short(body), url=url)


@renderer("notice")
async def notice_text(session: AsyncSession, job: PushJob, locale: str) -> PushText | None:
    return await _text(session, job, locale)


@renderer("briefing")
async def briefing_text(session: AsyncSession, job: PushJob, locale: str) -> PushText | None:
    return await _text(session, job, locale)
