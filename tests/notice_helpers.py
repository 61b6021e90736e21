"""Helpers for the alert level and notices tests: composing notices and reading what was written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.push.models import PushJob

CONTENT = {
    "en": {"title": "Gate C closed", "body": "Use gate D until further notice."},
    "fr": {"title": "Porte C fermée", "body": "Utilisez la porte D jusqu'à nouvel ordre."},
    "de": {"title": "Tor C geschlossen", "body": "Bis auf Weiteres Tor D benutzen."},
}


def notice(audience: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"audience": audience, "priority": "info", "requires_ack": False, "content": CONTENT, **extra}


async def push_jobs(db: AsyncSession, kind: str | None = None) -> list[PushJob]:
    query = select(PushJob).order_by(PushJob.id).execution_options(populate_existing=True)
    if kind:
        query = query.where(PushJob.kind == kind)
    return list((await db.execute(query)).scalars())


async def count(db: AsyncSession, model: type) -> int:
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()
