"""The caller's own account in sync (`me`) and the offline language change (`me.locale`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.errors import Invalid, NotFound
from liaison.i18n.locales import is_known_locale, normalize
from liaison.officers.models import User
from liaison.officers.schemas import user_out
from liaison.sync import messages as msg
from liaison.sync.changes import in_range
from liaison.sync.messages import say
from liaison.sync.registry import SyncChange, mutation, pull_source


@pull_source("me")
async def me_changed(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[SyncChange]:
    user = (
        await session.execute(select(User).where(User.id == principal.user_id, in_range(User.version, after, upto)))
    ).scalar_one_or_none()
    if user is None:
        return []
    if user.deleted_at is not None:
        return [SyncChange(entity="me", id=str(user.id), op="delete", data=None, version=user.version)]
    data = msgspec.structs.asdict(user_out(user))
    return [SyncChange(entity="me", id=str(user.id), op="upsert", data=data, version=user.version)]


@mutation("me.locale")
async def change_locale(
    session: AsyncSession, principal: Principal, args: dict[str, Any], occurred_at: datetime
) -> dict[str, Any] | None:
    locale = args.get("locale")
    if not isinstance(locale, str) or not is_known_locale(locale):
        raise Invalid(
            say(principal.locale, msg.UNKNOWN_LANGUAGE, locale=repr(locale)),
            errors=[{"field": "args.locale", "message": "unknown language"}],
        )
    user = await session.get(User, principal.user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(say(principal.locale, msg.NO_ACCOUNT))
    if user.locale != normalize(locale):
        user.locale = normalize(locale)
        await session.flush()
    return {"locale": user.locale}
