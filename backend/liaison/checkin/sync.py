"""Check-in over sync: offline desks replay `accreditation.checkin`; desks and coordinators pull `checkin`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.checkin import service
from liaison.checkin.controller import checkin_out
from liaison.checkin.keys import keyring
from liaison.checkin.models import Checkin
from liaison.errors import Forbidden, Invalid
from liaison.i18n.locales import ui_locale
from liaison.settings import Settings, load_settings
from liaison.sync.registry import SyncChange, mutation, pull_source

DESK_ROLES = frozenset({"desk", "coordinator", "admin"})
_SETTINGS: list[Settings] = []


def use_settings(settings: Settings) -> None:
    """Where keys live and who issues tokens: the app passes its settings at start (else the environment's)."""
    _SETTINGS[:] = [settings]


def _settings() -> Settings:
    if not _SETTINGS:
        _SETTINGS.append(load_settings())
    return _SETTINGS[0]


@mutation("accreditation.checkin")
async def replay_checkin(
    session: AsyncSession, principal: Principal, args: dict[str, Any], occurred_at: datetime
) -> dict[str, Any] | None:
    """A scan an offline desk made at `occurred_at`: same rules as online, recorded as `offline`."""
    if principal.role not in DESK_ROLES:
        raise Forbidden(f"Your role ({principal.role}) may not check officers in.")
    token, accreditation_id = args.get("token"), args.get("accreditation_id")
    if not isinstance(token, str | None) or not isinstance(accreditation_id, str | None):
        raise Invalid("token and accreditation_id must be strings.")
    settings = _settings()
    outcome = await service.check_in(
        session,
        principal,
        keyring(settings.data_dir),
        settings.base_url,
        lang=ui_locale(principal.locale),
        token=token,
        accreditation_id=accreditation_id,
        occurred_at=occurred_at,
        source="offline",
        mutation_id=str(args.get("mutation_id")) if args.get("mutation_id") else None,
    )
    return {
        "result": outcome.result,
        "officer_id": str(outcome.officer.id),
        "checked_in_at": outcome.checked_in_at.isoformat() if outcome.checked_in_at else None,
        "checkin_id": str(outcome.checkin.id),
        "conflict": outcome.checkin.conflict,
    }


@pull_source("checkin")
async def checkins_changed(session: AsyncSession, principal: Principal, after: int, upto: int) -> list[SyncChange]:
    """Every scan, so an offline desk knows who is already in; officers and delegation leads get none."""
    if principal.role not in DESK_ROLES:
        return []
    rows = await session.execute(
        select(Checkin).where(Checkin.version > after, Checkin.version <= upto).order_by(Checkin.version, Checkin.id)
    )
    return [
        SyncChange(
            entity="checkin",
            id=str(row.id),
            op="upsert",
            data=msgspec.to_builtins(checkin_out(row)),
            version=row.version,
        )
        for row in rows.scalars()
    ]
