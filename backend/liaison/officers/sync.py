"""People in sync: the caller's own account (`me`), a delegation lead's contingent (`officer`), and the
offline language change (`me.locale`).

`officer` scope: a delegation lead syncs its own country's officers (itself included); nobody else syncs any
(staff consoles search the officers API: the whole force is too many people to keep on every console). An
officer who leaves a lead's scope while the row lives on (moved to another country by a roster import)
reaches that lead as a tombstone (`tombstone_country_moves`), a deleted one as a delete.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.errors import Invalid, NotFound
from liaison.hot_reads import PerDialect, any_of, core_rows
from liaison.i18n.locales import is_known_locale, normalize
from liaison.officers.models import User
from liaison.officers.schemas import officer_out, user_out
from liaison.shifts.models import Assignment
from liaison.sync import messages as msg
from liaison.sync.changes import after_key, in_range, merge, tombstone_changes
from liaison.sync.messages import say
from liaison.sync.registry import PageKey, SyncChange, mutation, paged_pull_source, pull_source, snapshot_source
from liaison.sync.versioning import Tombstone

OFFICER_ROLES = ("officer", "delegation_lead")  # a delegation lead is an officer of its contingent too


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


_ME_COLUMNS = (
    User.id,
    User.role,
    User.country_code,
    User.locale,
    User.accreditation_id,
    User.status,
    User.email,
    User.first_name,
    User.last_name,
    User.rank,
    User.version,
)
# By primary key only: with the version range in SQL too, PostgreSQL's generic plan for the prepared statement
# walked the version index of every account (seen: 33 ms for 32 officers instead of 0.2 ms).
_MANY_ME = PerDialect(
    lambda dialect: select(*_ME_COLUMNS).where(any_of(User.id, "user_ids", dialect), User.deleted_at.is_(None))
)


@snapshot_source("me")
async def me_snapshots(session: AsyncSession, principals: Sequence[Principal], upto: int) -> list[list[SyncChange]]:
    """Officers' first pulls: their own accounts, one query for them all."""
    place = {p.user_id: i for i, p in enumerate(principals)}
    found: list[list[SyncChange]] = [[] for _ in principals]
    for row in await core_rows(session, _MANY_ME(session), {"user_ids": list(place)}):
        if not 0 < row.version <= upto:
            continue
        data = msgspec.structs.asdict(user_out(row))
        found[place[row.id]] = [SyncChange(entity="me", id=str(row.id), op="upsert", data=data, version=row.version)]
    return found


def _lead_country(principal: Principal) -> str | None:
    return principal.country if principal.role == "delegation_lead" and principal.country else None


_OFFICER_COLUMNS = (
    User.id,
    User.first_name,
    User.last_name,
    User.country_code,
    User.accreditation_id,
    User.locale,
    User.status,
    User.role,
    User.rank,
    User.email,
    User.languages,
    User.arrival,
    User.departure,
    User.version,
)


@snapshot_source("officer")
async def officer_snapshots(
    session: AsyncSession, principals: Sequence[Principal], upto: int
) -> list[list[SyncChange]]:
    """Delegation leads' first pulls: their countries' officers, one query for every country in the batch."""
    countries = {c for c in map(_lead_country, principals) if c is not None}
    by_country: dict[str, list[SyncChange]] = {c: [] for c in countries}
    if countries:
        query = (
            select(*_OFFICER_COLUMNS)
            .where(User.role.in_(OFFICER_ROLES), User.country_code.in_(countries), User.deleted_at.is_(None))
            .order_by(User.version, User.id)
        )
        for row in await core_rows(session, query, {}):
            if 0 < row.version <= upto:
                data = msgspec.to_builtins(officer_out(row))
                change = SyncChange(entity="officer", id=str(row.id), op="upsert", data=data, version=row.version)
                by_country[row.country_code].append(change)
    return [by_country.get(_lead_country(p) or "", []) for p in principals]


@paged_pull_source("officer")
async def officers_changed(
    session: AsyncSession, principal: Principal, after: int, upto: int, start: PageKey | None, limit: int
) -> list[SyncChange]:
    country = _lead_country(principal)
    if country is None:
        return []
    query = select(User).where(
        User.role.in_(OFFICER_ROLES),
        User.country_code == country,
        in_range(User.version, after, upto),
        after_key(User.version, User.id, start),
    )
    if after == 0:
        query = query.where(User.deleted_at.is_(None))
    rows = await session.execute(query.order_by(User.version, User.id).limit(limit))
    changes = [
        SyncChange(entity="officer", id=str(u.id), op="delete", data=None, version=u.version)
        if u.deleted_at is not None
        else SyncChange(
            entity="officer", id=str(u.id), op="upsert", data=msgspec.to_builtins(officer_out(u)), version=u.version
        )
        for u in rows.scalars()
    ]
    lost = await tombstone_changes(session, principal.user_id, "officer", after, upto, start, limit)
    return merge(changes, lost, limit) if lost else changes


async def tombstone_country_moves(session: AsyncSession, moves: dict[uuid.UUID, str | None], version: int) -> None:
    """Officers moved away from a country (id -> former country): its delegation leads lose sight of them,
    of their assignments, and of the shifts no other officer of that country still works.

    Written in the transaction that moves them, with its version, so the deletes and the move sync together.
    """
    former = {country for country in moves.values() if country}
    if not former:
        return
    leads_of: dict[str, list[uuid.UUID]] = {}
    for lead_id, country in await session.execute(
        select(User.id, User.country_code).where(
            User.role == "delegation_lead", User.country_code.in_(former), User.deleted_at.is_(None)
        )
    ):
        leads_of.setdefault(country, []).append(lead_id)
    lost: list[tuple[str, str, str]] = []  # (entity, id, former country)
    for officer_id, country in moves.items():
        if country:
            lost.append(("officer", str(officer_id), country))
    moved = [officer_id for officer_id, country in moves.items() if country]
    held = await session.execute(
        select(Assignment.id, Assignment.shift_id, Assignment.user_id).where(
            Assignment.user_id.in_(moved), Assignment.deleted_at.is_(None)
        )
    )
    shifts_of: dict[str, set[uuid.UUID]] = {}
    for assignment_id, shift_id, user_id in held:
        lost.append(("assignment", str(assignment_id), moves[user_id] or ""))
        shifts_of.setdefault(moves[user_id] or "", set()).add(shift_id)
    for country, shift_ids in shifts_of.items():
        still = await session.execute(
            select(Assignment.shift_id)
            .join(User, User.id == Assignment.user_id)
            .where(
                Assignment.shift_id.in_(shift_ids),
                Assignment.deleted_at.is_(None),
                User.country_code == country,
                User.id.not_in(moved),
            )
        )
        kept = {shift_id for (shift_id,) in still}
        lost.extend(("shift", str(shift_id), country) for shift_id in shift_ids - kept)
    rows = [
        {"entity": entity, "entity_id": entity_id, "user_id": str(lead_id), "version": version}
        for entity, entity_id, country in lost
        for lead_id in leads_of.get(country, [])
        if str(lead_id) != entity_id
    ]
    if rows:
        await session.execute(insert(Tombstone), rows)


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
