"""The alert level: reading it in the caller's language, changing it, running and ending drills."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.alerts.models import AlertChange
from liaison.alerts.schemas import AlertChangeOut, AlertLevelIn, AlertLevelOut, DrillOut, Person, ReachOut
from liaison.audit.service import record
from liaison.auth.models import Device
from liaison.auth.principal import Principal
from liaison.console.live import emit
from liaison.database import utcnow
from liaison.errors import Invalid, NotFound
from liaison.i18n.catalogs import N_, gettext
from liaison.i18n.locales import content_language, is_known_locale, normalize, ui_locale
from liaison.officers.models import User
from liaison.push.models import PushSubscription
from liaison.push.outbox import enqueue_push

DOMAIN = "alerts"
DEFAULT_LEVEL = "vigilance"
LABELS = {
    "vigilance": N_("Vigilance"),
    "heightened": N_("Enhanced security – risk of attack"),
    "emergency": N_("Attack emergency"),
}
# Shown when the coordinator wrote no instructions for the level.
DEFAULT_INSTRUCTIONS = {
    "vigilance": N_("Normal vigilance. Report any suspicious behaviour or unattended item to your French contact."),
    "heightened": N_(
        "Heightened security: stay with your French unit, keep your accreditation visible and report any "
        "suspicious behaviour or unattended item at once."
    ),
    "emergency": N_(
        "Emergency: an attack is under way or imminent. Follow the orders of the French police on site, "
        "stay reachable and wait for instructions."
    ),
}
EXERCISE_LABEL = N_("EXERCISE – {label}")
# An alert push is only useful while it is current; a phone asleep longer gets the level by sync.
ALERT_PUSH_TTL = 12 * 3600


def label(level: str, lang: str, *, drill: bool = False) -> str:
    text = gettext(lang, LABELS[level], domain=DOMAIN)
    return gettext(lang, EXERCISE_LABEL, domain=DOMAIN, label=text) if drill else text


def instructions_for(change: AlertChange | None, level: str, locale: str | None, accept: str | None) -> tuple[str, str]:
    """(text, lang): the authored instructions in the best language, else the catalog's default text."""
    authored = {k: v for k, v in ((change.instructions or {}) if change else {}).items() if v}
    if authored:
        lang = content_language(list(authored), locale, accept)
        by_norm = {normalize(k): v for k, v in authored.items()}
        return by_norm[lang], lang
    lang = ui_locale(locale, accept)
    return gettext(lang, DEFAULT_INSTRUCTIONS[level], domain=DOMAIN), lang


async def current_real(session: AsyncSession) -> AlertChange | None:
    query = select(AlertChange).where(AlertChange.drill.is_(False)).order_by(AlertChange.changed_at.desc()).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def current_drill(session: AsyncSession) -> AlertChange | None:
    query = (
        select(AlertChange)
        .where(AlertChange.drill.is_(True), AlertChange.ended_at.is_(None))
        .order_by(AlertChange.changed_at.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


def view(real: AlertChange | None, drill: AlertChange | None, locale: str | None, accept: str | None) -> AlertLevelOut:
    ui = ui_locale(locale, accept)
    level = real.level if real else DEFAULT_LEVEL
    text, lang = instructions_for(real, level, locale, accept)
    drill_out = None
    if drill is not None:
        drill_text, drill_lang = instructions_for(drill, drill.level, locale, accept)
        drill_out = DrillOut(
            id=drill.id,
            level=drill.level,  # type: ignore[arg-type]
            label=label(drill.level, ui, drill=True),
            instructions=drill_text,
            lang=drill_lang,
            started_at=drill.changed_at,
        )
    return AlertLevelOut(
        level=level,  # type: ignore[arg-type]
        label=label(level, ui),
        instructions=text,
        changed_at=real.changed_at if real else None,
        lang=lang,
        drill=drill_out,
    )


async def get_view(session: AsyncSession, locale: str | None, accept: str | None) -> AlertLevelOut:
    return view(await current_real(session), await current_drill(session), locale, accept)


def _clean_instructions(raw: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    errors = []
    for tag, text in raw.items():
        if not is_known_locale(tag):
            errors.append({"field": f"instructions.{tag}", "message": "unknown language tag"})
        elif not text.strip():
            errors.append({"field": f"instructions.{tag}", "message": "empty text: leave the language out instead"})
        else:
            cleaned[normalize(tag)] = text.strip()
    if errors:
        raise Invalid("Some instructions cannot be used.", errors=errors)
    return cleaned


async def change(session: AsyncSession, actor: Principal, data: AlertLevelIn) -> AlertChange:
    """Records a real change or starts a drill, with its push, audit entry and console event, in one commit."""
    if not data.reason.strip():
        raise Invalid("Say why the level changes.", errors=[{"field": "reason", "message": "empty"}])
    now = utcnow()
    if data.drill:
        running = await current_drill(session)
        if running is not None:
            # One exercise at a time: a new one replaces the running one.
            running.ended_at, running.ended_by = now, actor.user_id
    row = AlertChange(
        id=uuid.uuid4(),
        level=data.level,
        drill=data.drill,
        reason=data.reason.strip(),
        instructions=_clean_instructions(data.instructions),
        changed_by=actor.user_id,
        changed_at=now,
    )
    session.add(row)
    await session.flush()
    event = "drill_start" if data.drill else "change"
    enqueue_push(
        session,
        kind="alert_level",
        ref_id=row.id,
        user_ids=None,
        urgency="high",
        topic="alert-level",
        ttl=ALERT_PUSH_TTL,
        params={"event": event, "level": data.level, "drill": data.drill},
    )
    await record(
        session,
        actor,
        "alert_level.drill_start" if data.drill else "alert_level.change",
        ("alert_level", row.id),
        {"level": data.level, "reason": row.reason, "languages": sorted(row.instructions)},
    )
    emit(session, {"type": "alert_level", "event": event, "id": str(row.id), "level": data.level, "drill": data.drill})
    await session.commit()
    return row


async def end_drill(session: AsyncSession, actor: Principal) -> AlertChange:
    running = await current_drill(session)
    if running is None:
        raise NotFound("No exercise is running.")
    running.ended_at, running.ended_by = utcnow(), actor.user_id
    enqueue_push(
        session,
        kind="alert_level",
        ref_id=running.id,
        user_ids=None,
        urgency="high",
        topic="alert-level",
        ttl=ALERT_PUSH_TTL,
        params={"event": "drill_end", "level": running.level, "drill": True},
    )
    await record(session, actor, "alert_level.drill_end", ("alert_level", running.id), {"level": running.level})
    emit(session, {"type": "alert_level", "event": "drill_end", "id": str(running.id), "drill": True})
    await session.commit()
    return running


async def history(
    session: AsyncSession, *, drill: bool, lang: str, limit: int, offset: int
) -> tuple[list[AlertChangeOut], int]:
    base = select(AlertChange).where(AlertChange.drill.is_(drill))
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = list(
        (await session.execute(base.order_by(AlertChange.changed_at.desc()).limit(limit).offset(offset))).scalars()
    )
    people_ids = {i for r in rows for i in (r.changed_by, r.ended_by) if i}
    names: dict[uuid.UUID, str] = {}
    if people_ids:
        users = await session.execute(select(User).where(User.id.in_(people_ids)))
        names = {u.id: u.name for u in users.scalars()}

    def person(user_id: uuid.UUID | None) -> Person | None:
        return Person(id=user_id, name=names.get(user_id, "")) if user_id else None

    items = [
        AlertChangeOut(
            id=r.id,
            level=r.level,  # type: ignore[arg-type]
            label=label(r.level, lang, drill=r.drill),
            drill=r.drill,
            reason=r.reason,
            instructions=dict(r.instructions or {}),
            changed_at=r.changed_at,
            changed_by=person(r.changed_by),
            ended_at=r.ended_at,
            ended_by=person(r.ended_by),
        )
        for r in rows
    ]
    return items, total


async def latest_version(session: AsyncSession) -> int:
    return (await session.execute(select(func.coalesce(func.max(AlertChange.version), 0)))).scalar_one()


async def reach(session: AsyncSession) -> ReachOut:
    """What a coordinator is told before confirming a change: how many people and phones it reaches."""
    now = utcnow()
    readers = (User.role.in_(("officer", "delegation_lead")), User.deleted_at.is_(None))
    people = (await session.execute(select(func.count()).select_from(User).where(*readers))).scalar_one()
    phones = (
        await session.execute(
            select(func.count())
            .select_from(Device)
            .join(User, User.id == Device.user_id)
            .where(*readers, Device.kind == "enrolled", Device.revoked_at.is_(None), Device.expires_at > now)
        )
    ).scalar_one()
    subscribed = (await session.execute(select(func.count()).select_from(PushSubscription))).scalar_one()
    return ReachOut(people=people, phones=phones, push_subscriptions=subscribed)
