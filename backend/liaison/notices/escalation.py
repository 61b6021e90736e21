"""Escalation: when people have not acknowledged in time, each country's delegation lead is told who.

The lead gets a notice (in the lead's own language, pushed) naming its people still pending. It runs for
overdue notices from a periodic check, or at once when a coordinator asks (POST …/escalate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.audit.service import record
from liaison.auth.principal import Principal
from liaison.console.live import emit
from liaison.database import utcnow
from liaison.i18n.catalogs import N_, gettext
from liaison.i18n.locales import ui_locale
from liaison.notices.acknowledgements import pending_by_country
from liaison.notices.models import Notice, NoticeRecipient
from liaison.notices.schemas import EscalatedOut, EscalationOut
from liaison.notices.service import push_new
from liaison.notices.views import pick
from liaison.officers.models import User
from liaison.sync.versioning import transaction_version

log = logging.getLogger("liaison.notices.escalation")
DOMAIN = "notices"
PARIS = ZoneInfo("Europe/Paris")
CHECK_EVERY_SECONDS = 60.0
# Beyond this many names the message says how many more: a push and a phone screen have limits.
MAX_NAMES = 200

TITLE_OVERDUE = N_("Acknowledgement overdue: {title}")
TITLE_PENDING = N_("Acknowledgement pending: {title}")
BODY_OVERDUE = N_(
    "“{title}” had to be acknowledged by {deadline} (Paris time). "
    "Not yet acknowledged by your delegation ({count}): {names}."
)
BODY_PENDING = N_("“{title}” is not yet acknowledged by your delegation ({count}): {names}.")
MORE_NAMES = N_("and {count} more")
PLEASE = N_("Please make sure they read it and acknowledge it in the app.")


def _names(names: list[str], lang: str) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        shown += " " + gettext(lang, MORE_NAMES, domain=DOMAIN, count=len(names) - MAX_NAMES)
    return shown


def _lead_text(notice: Notice, lead: User, names: list[str], overdue: bool) -> tuple[str, dict[str, str]]:
    lang = ui_locale(lead.locale)
    _, original = pick(notice.content, lead.locale, None)
    title = original.get("title", "")
    if overdue and notice.ack_deadline is not None:
        deadline = notice.ack_deadline.astimezone(PARIS).strftime("%d/%m %H:%M")
        heading = gettext(lang, TITLE_OVERDUE, domain=DOMAIN, title=title)
        body = gettext(
            lang,
            BODY_OVERDUE,
            domain=DOMAIN,
            title=title,
            deadline=deadline,
            count=len(names),
            names=_names(names, lang),
        )
    else:
        heading = gettext(lang, TITLE_PENDING, domain=DOMAIN, title=title)
        body = gettext(lang, BODY_PENDING, domain=DOMAIN, title=title, count=len(names), names=_names(names, lang))
    body += "\n\n" + gettext(lang, PLEASE, domain=DOMAIN)
    return lang, {"title": heading[:200], "body": body, "source": "human"}


async def escalate(session: AsyncSession, notice: Notice, actor: Principal | None, *, overdue: bool) -> EscalationOut:
    """Notifies the lead of each country with pending acknowledgements; commits."""
    now = utcnow()
    pending = await pending_by_country(session, notice.id)
    leads: dict[str, list[User]] = {}
    if pending:
        rows = await session.execute(
            select(User)
            .where(User.role == "delegation_lead", User.country_code.in_(pending), User.deleted_at.is_(None))
            .order_by(User.last_name)
        )
        for lead in rows.scalars():
            leads.setdefault(lead.country_code or "", []).append(lead)
    notified: list[EscalatedOut] = []
    version = await transaction_version(session) if leads else 0
    for country, names in sorted(pending.items()):
        for lead in leads.get(country, []):
            lang, text = _lead_text(notice, lead, names, overdue)
            message = Notice(
                id=uuid.uuid4(),
                kind="notice",
                priority="important" if notice.priority != "urgent" else "urgent",
                requires_ack=False,
                audience={"officers": [str(lead.id)]},
                content={lang: text},
                recipients=1,
                created_by=actor.user_id if actor else None,
                created_at=now,
                escalation_of_id=notice.id,
            )
            session.add(message)
            await session.flush()
            session.add(
                NoticeRecipient(notice_id=message.id, user_id=lead.id, country_code=lead.country_code, version=version)
            )
            push_new(session, message, [lead.id], "escalation")
            notified.append(
                EscalatedOut(
                    country=country, lead_id=lead.id, lead_name=lead.name, pending=len(names), notice_id=message.id
                )
            )
    notice.escalated_at = now
    without_lead = sorted(c for c in pending if c not in leads)
    await record(
        session,
        actor,
        f"{notice.kind}.escalate",
        (notice.kind, notice.id),
        {"overdue": overdue, "countries": {c: len(n) for c, n in pending.items()}, "without_lead": without_lead},
    )
    emit(session, {"type": "escalation", "id": str(notice.id), "countries": sorted(pending)})
    await session.commit()
    return EscalationOut(notice_id=notice.id, notified=notified, without_lead=without_lead)


async def escalate_overdue(session: AsyncSession, now: datetime | None = None) -> list[EscalationOut]:
    """Escalates every notice whose deadline passed and that was not escalated yet."""
    now = now or utcnow()
    rows = await session.execute(
        select(Notice.id).where(
            Notice.requires_ack.is_(True),
            Notice.ack_deadline <= now,
            Notice.escalated_at.is_(None),
            Notice.cancelled_at.is_(None),
            Notice.superseded_at.is_(None),
            Notice.deleted_at.is_(None),
        )
    )
    results = []
    for notice_id in list(rows.scalars()):
        notice = await session.get(Notice, notice_id)
        if notice is not None:
            results.append(await escalate(session, notice, None, overdue=True))
    return results


async def check_forever(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """The periodic overdue check, run by the API process (lifespan) or by `liaison worker`."""
    while True:
        await asyncio.sleep(CHECK_EVERY_SECONDS)
        try:
            async with sessionmaker() as session:
                for result in await escalate_overdue(session):
                    log.info("escalated %s to %d leads", result.notice_id, len(result.notified))
        except Exception:  # the check must outlive a bad minute (database restart…)
            log.exception("escalation check failed")


@asynccontextmanager
async def escalation_checks(app: Litestar) -> AsyncIterator[None]:
    """Lifespan: the periodic overdue check, when this process runs background work."""
    if not app.state.settings.run_worker:
        yield
        return
    task = asyncio.create_task(check_forever(app.state.sessionmaker))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
