"""Notices and briefings in sync (pull sources, offline acknowledgements) and their push texts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.errors import Invalid
from liaison.hot_reads import PerDialect, any_of, core_rows, raw, raw_values
from liaison.i18n.catalogs import N_, gettext
from liaison.notices import service
from liaison.notices.models import Notice, NoticeRecipient
from liaison.notices.views import as_data, notice_out, pick
from liaison.push.messages import PushText, renderer
from liaison.push.models import PushJob
from liaison.sync.changes import in_range
from liaison.sync.registry import PAGE_ORDER, SyncChange, mutation, pull_source, snapshot_source
from liaison.sync.shared import fragments

DOMAIN = "notices"
BODY_LIMIT = 240
URGENT = N_("URGENT: {title}")
UPDATED = N_("Updated: {title}")
CANCELLED = N_("Cancelled: {title}")
BRIEFING = N_("Briefing: {title}")
CANCELLED_BODY = N_("This message was cancelled. You can disregard it.")


async def _changed(session: AsyncSession, principal: Principal, kind: str, after: int, upto: int) -> list[SyncChange]:
    """The caller's notices of `kind` sent, acknowledged, cancelled or replaced in (after, upto]."""
    rows = [row for row in await _recipient_rows(session, principal, after, upto) if row.kind == kind]
    return _as_changes(kind, rows, await _texts(session, principal.locale, rows), upto)


def _as_changes(kind: str, rows: list[Any], texts: dict[uuid.UUID, bytes], upto: int) -> list[SyncChange]:
    """One reader's changes of `kind`, from its recipient rows and the notices' texts in its language."""
    changes = []
    for row in rows:
        version = min(max(row.r_version, row.version), upto)
        if row.superseded_at is not None or row.deleted_at is not None:
            # Replaced by an update (which may not include this person): gone from this phone.
            changes.append(SyncChange(entity=kind, id=str(row.id), op="delete", data=None, version=version))
            continue
        text = texts.get(row.id)
        if text is None:  # removed from the database between the two reads
            continue
        data = _with_acknowledgement(text, row.acknowledged_at)
        changes.append(SyncChange(entity=kind, id=str(row.id), op="upsert", data=data, version=version))
    return sorted(changes, key=PAGE_ORDER)


def _with_acknowledgement(text: bytes, acknowledged_at: Any) -> msgspec.Raw:
    """A notice's JSON (encoded once for all its readers of one language) with this reader's acknowledgement."""
    return msgspec.Raw(b"".join((text[:-1], b',"acknowledged_at":', _encode(acknowledged_at), b"}")))


def _recipients_query(first_pull: bool) -> Select[Any]:
    r = NoticeRecipient
    after, upto = bindparam("after"), bindparam("upto")
    query = (
        select(
            Notice.id,
            Notice.kind,
            Notice.version,
            Notice.superseded_at,
            Notice.deleted_at,
            r.version.label("r_version"),
            r.acknowledged_at,
        )
        .join(r, r.notice_id == Notice.id)
        .where(
            or_(and_(r.version > after, r.version <= upto), and_(Notice.version > after, Notice.version <= upto)),
        )
    )
    if first_pull:
        # A first pull needs no deletes for what the phone never had.
        query = query.where(Notice.superseded_at.is_(None), Notice.deleted_at.is_(None))
    return query


# Built once (they run once per phone after a mass reconnect): not rebuilt nor re-keyed for the compiled cache.
_FIRST_PULL, _SINCE = (
    _recipients_query(first_pull).where(NoticeRecipient.user_id == bindparam("user_id")) for first_pull in (True, False)
)


async def _recipient_rows(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[Any]:
    """The caller's notices and briefings that changed in the range: one query for both sources of a pull,
    without their texts (those are the same for every reader of a language: see `_texts`)."""
    key = ("notices.recipient_rows", principal.user_id, after, upto)
    rows = session.info.get(key)
    if rows is not None:
        return rows  # type: ignore[no-any-return]
    query = _FIRST_PULL if after == 0 else _SINCE
    rows = list(await session.execute(query, {"user_id": principal.user_id, "after": after, "upto": upto}))
    session.info[key] = rows
    return rows


def _first_pulls_query(dialect: str) -> Select[Any]:
    r = NoticeRecipient
    return _recipients_query(True).add_columns(raw(r.user_id, "user_id")).where(any_of(r.user_id, "user_ids", dialect))


_FIRST_PULLS = PerDialect(_first_pulls_query)
_FIRST_PULLS_KEY = "notices.first_pulls"
_encode = msgspec.json.Encoder().encode


FirstPulls = tuple[list[list[Any]], dict[str, dict[uuid.UUID, bytes]]]  # rows per officer; texts per language


async def _first_pulls(session: AsyncSession, principals: Sequence[Principal], upto: int) -> FirstPulls:
    """Officers' first pulls: their notices and briefings from one query for them all, and the texts in each of
    their languages looked up once for the batch (both sources use them)."""
    kept = session.info.get(_FIRST_PULLS_KEY)
    if kept is not None and kept[0] is principals and kept[1] == upto:
        return kept[2]  # type: ignore[no-any-return]
    values = raw_values(session)
    place = {str(p.user_id): i for i, p in enumerate(principals)}
    found: list[list[Any]] = [[] for _ in principals]
    params = {"user_ids": [p.user_id for p in principals], "after": 0, "upto": upto}
    for row in await core_rows(session, _FIRST_PULLS(session), params):
        found[place[values.uuid(row.user_id)]].append(row)
    wanted: dict[str, dict[tuple[uuid.UUID, int], Any]] = {}
    for principal, rows in zip(principals, found, strict=True):
        mine = wanted.setdefault(principal.locale, {})
        for row in rows:
            mine[(row.id, row.version)] = row
    texts = {locale: await _texts(session, locale, list(rows.values())) for locale, rows in wanted.items()}
    session.info[_FIRST_PULLS_KEY] = (principals, upto, (found, texts))
    return found, texts


async def _snapshots(
    session: AsyncSession, principals: Sequence[Principal], kind: str, upto: int
) -> list[list[SyncChange]]:
    rows, texts = await _first_pulls(session, principals, upto)
    return [
        _as_changes(kind, [r for r in mine if r.kind == kind], texts[p.locale], upto)
        for p, mine in zip(principals, rows, strict=True)
    ]


@snapshot_source("notice")
async def notice_snapshots(session: AsyncSession, principals: Sequence[Principal], upto: int) -> list[list[SyncChange]]:
    return await _snapshots(session, principals, "notice", upto)


@snapshot_source("briefing")
async def briefing_snapshots(
    session: AsyncSession, principals: Sequence[Principal], upto: int
) -> list[list[SyncChange]]:
    return await _snapshots(session, principals, "briefing", upto)


async def _texts(session: AsyncSession, locale: str, rows: list[Any]) -> dict[uuid.UUID, bytes]:
    """Each notice's JSON as its readers in `locale` get it, without `acknowledged_at`, by notice id.

    Kept encoded per (notice, version, language): every change to a notice gives it a new version. A notice
    read here may be newer than its row above (it changed in between): it is kept under its own version, and the
    change reaches the phone in the next pass anyway.
    """
    cache = fragments(session)
    texts: dict[uuid.UUID, bytes] = {}
    missing = []
    for row in rows:
        if row.superseded_at is None and row.deleted_at is None:
            text = cache.get(("notice", row.id, row.version, locale))
            if text is None:
                missing.append(row.id)
            else:
                texts[row.id] = text
    if missing:
        for notice in (await session.execute(select(Notice).where(Notice.id.in_(missing)))).scalars():
            data = as_data(notice_out(notice, locale, None, None))
            data.pop("acknowledged_at", None)  # each reader's own: see _with_acknowledgement
            text = _encode(data)
            cache.put(("notice", notice.id, notice.version, locale), text)
            texts[notice.id] = text
    return texts


async def _all_changed(
    session: AsyncSession, principal: Principal, kind: str, after: int, upto: int
) -> list[SyncChange]:
    """A coordinator's console: every notice of `kind` sent, as GET /api/notices/{id} shows it to them
    (audience and every language; the live acknowledgement counts come from /acknowledgements). Notices are
    written by hand, a few hundred over an event: not paged in SQL."""
    query = select(Notice).where(Notice.kind == kind, in_range(Notice.version, after, upto))
    if after == 0:
        query = query.where(Notice.deleted_at.is_(None))
    return [
        SyncChange(entity=kind, id=str(n.id), op="delete", data=None, version=n.version)
        if n.deleted_at is not None
        else SyncChange(
            entity=kind,
            id=str(n.id),
            op="upsert",
            data=as_data(notice_out(n, principal.locale, None, None, staff=True)),
            version=n.version,
        )
        for n in (await session.execute(query)).scalars()
    ]


async def _notices(session: AsyncSession, principal: Principal, kind: str, after: int, upto: int) -> list[SyncChange]:
    if principal.manages_all:
        return await _all_changed(session, principal, kind, after, upto)
    return await _changed(session, principal, kind, after, upto)


@pull_source("notice")
async def notices_changed(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[SyncChange]:
    return await _notices(session, principal, "notice", after, upto)


@pull_source("briefing")
async def briefings_changed(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[SyncChange]:
    return await _notices(session, principal, "briefing", after, upto)


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
