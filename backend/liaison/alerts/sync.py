"""The alert level in sync (entity `alert_level`, id "current") and its push texts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.alerts import service
from liaison.alerts.models import AlertChange
from liaison.auth.principal import Principal
from liaison.i18n.catalogs import N_, gettext
from liaison.push.messages import PushText, renderer
from liaison.push.models import PushJob
from liaison.sync.registry import SyncChange, pull_source, snapshot_source
from liaison.sync.shared import shared_answer

DOMAIN = service.DOMAIN
PUSH_TITLE = N_("Alert level: {label}")
EXERCISE_NOTE = N_("This is an exercise, not a real alert.")
DRILL_END_TITLE = N_("End of exercise")
DRILL_END_BODY = N_("The exercise is over. The real alert level is unchanged: {label}.")
BODY_LIMIT = 240


@pull_source("alert_level")
async def alert_level_changed(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[SyncChange]:
    """The same for every caller of one language: read once per range and language (see sync/shared.py)."""
    return await shared_answer(
        session,
        ("alert_level", after, upto, principal.locale),
        upto,
        lambda: _alert_level(session, principal.locale, after, upto),
    )


@snapshot_source("alert_level")
async def alert_level_snapshots(
    session: AsyncSession, principals: Sequence[Principal], upto: int
) -> list[list[SyncChange]]:
    """The same for every officer of one language: one answer per language in the batch."""
    by_locale: dict[str, list[SyncChange]] = {}
    for principal in principals:
        if principal.locale not in by_locale:
            by_locale[principal.locale] = await alert_level_changed(session, principal, 0, upto)
    return [by_locale[p.locale] for p in principals]


async def _alert_level(session: AsyncSession, locale: str, after: int, upto: int) -> list[SyncChange]:
    latest = await service.latest_version(session)
    # A first pull (after=0) always gets the level, even the default one nobody has set yet.
    if after > 0 and not after < latest <= upto:
        return []
    if latest > upto:
        return []
    data = msgspec.to_builtins(await service.get_view(session, locale, None))
    return [SyncChange(entity="alert_level", id="current", op="upsert", data=data, version=latest)]


def _short(text: str) -> str:
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1].rstrip() + "…"


@renderer("alert_level")
async def alert_level_text(session: AsyncSession, job: PushJob, locale: str) -> PushText | None:
    try:
        row = await session.get(AlertChange, uuid.UUID(job.ref_id))
    except ValueError:
        return None
    if row is None:
        return None
    event = (job.params or {}).get("event", "change")
    if event == "drill_end":
        real = await service.current_real(session)
        level = real.level if real else service.DEFAULT_LEVEL
        title = gettext(locale, DRILL_END_TITLE, domain=DOMAIN)
        body = gettext(locale, DRILL_END_BODY, domain=DOMAIN, label=service.label(level, locale))
        return PushText(title=title, body=body, url="/today")
    title = gettext(locale, PUSH_TITLE, domain=DOMAIN, label=service.label(row.level, locale))
    text, _ = service.instructions_for(row, row.level, locale, None)
    if row.drill:
        # Every part of an exercise push says so, in the reader's language.
        title = gettext(locale, service.EXERCISE_LABEL, domain=DOMAIN, label=title)
        text = gettext(locale, EXERCISE_NOTE, domain=DOMAIN) + " " + text
    return PushText(title=title, body=_short(text), url="/today")
