"""Assignments and shifts in sync, and the officer's offline check-in and check-out at a shift.

Scope: an officer syncs its own assignments and their shifts; a delegation lead those of its country.
Coordinators and admins sync every shift (the plan they manage) and no assignment: at the whole force's scale
that is hundreds of thousands of rows, and their consoles read rosters through the planning API. Desk agents
sync neither.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.errors import Conflict, Invalid, NotFound
from liaison.hot_reads import PerDialect, any_of, core_rows, raw, raw_values
from liaison.officers.models import User
from liaison.shifts.models import Assignment, Shift
from liaison.sync import messages as msg
from liaison.sync.changes import after_key, in_range, merge, tombstone_changes
from liaison.sync.messages import say
from liaison.sync.registry import PAGE_ORDER, PageKey, SyncChange, mutation, page_of, paged_pull_source, snapshot_source
from liaison.sync.shared import fragments
from liaison.sync.shared import raw as raw_json

# An officer may check in from this long before the shift starts (queues at the security perimeter).
CHECKIN_EARLY = timedelta(hours=3)
# Phones' clocks drift: an occurred_at this far in the future is refused rather than trusted.
CLOCK_SKEW = timedelta(minutes=5)

_ASSIGNMENT_COLUMNS = (
    Assignment.id,
    Assignment.status,
    Assignment.shift_id,
    Assignment.user_id,
    Assignment.checked_in_at,
    Assignment.checked_out_at,
    Assignment.version,
    Assignment.deleted_at,
)
_SHIFT_COLUMNS = (
    Shift.id,
    Shift.venue_id,
    Shift.starts_at,
    Shift.ends_at,
    Shift.task,
    Shift.headcount,
    Shift.contact_name,
    Shift.contact_phone,
    Shift.languages,
    Shift.notes,
    Shift.version,
    Shift.deleted_at,
)


def syncs_assignments(principal: Principal) -> bool:
    return not principal.is_staff


def _scoped(query: Select[Any], principal: Principal) -> Select[Any]:
    """Only the assignments the caller may sync (not called for staff: see syncs_assignments)."""
    if principal.role == "delegation_lead" and principal.country:
        return query.join(User, User.id == Assignment.user_id).where(User.country_code == principal.country)
    return query.where(Assignment.user_id == principal.user_id)


def assignment_data(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "shift_id": row.shift_id,
        "officer_id": row.user_id,
        "checked_in_at": row.checked_in_at,
        "checked_out_at": row.checked_out_at,
    }


def shift_data(row: Any) -> dict[str, Any]:
    """ShiftOut without its venue (the venue syncs on its own)."""
    return {
        "id": row.id,
        "venue_id": row.venue_id,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "task": row.task,
        "headcount": row.headcount,
        "contact_name": row.contact_name,
        "contact_phone": row.contact_phone,
        "languages": list(row.languages or []),
        "notes": row.notes,
    }


def _own_snapshots_query(dialect: str) -> Select[Any]:
    # Raw columns (hot_reads.py): the shift's own data comes from the fragment cache, not from these rows.
    return (
        select(
            raw(Assignment.id, "a_id"),
            raw(Assignment.status, "a_status"),
            raw(Assignment.shift_id, "a_shift_id"),
            raw(Assignment.user_id, "a_user_id"),
            raw(Assignment.checked_in_at, "a_checked_in_at"),
            raw(Assignment.checked_out_at, "a_checked_out_at"),
            raw(Assignment.version, "a_version"),
            raw(Shift.version, "s_version"),
            raw(Shift.deleted_at, "s_deleted_at"),
        )
        .select_from(Assignment)
        .join(Shift, Shift.id == Assignment.shift_id)
        # No version range here (it is checked on each row): PostgreSQL's generic plan for the prepared statement
        # could then prefer the version index over the officers' own rows.
        .where(any_of(Assignment.user_id, "user_ids", dialect), Assignment.deleted_at.is_(None))
        # The order pages follow (UUIDs sort alike as hex text and as values), so each officer's list is in order.
        .order_by(Assignment.version, Assignment.id)
    )


_OWN_SNAPSHOTS = PerDialect(_own_snapshots_query)
_SNAPSHOTS_KEY = "shifts.own_snapshots"
OwnSnapshot = tuple[list[SyncChange], list[SyncChange]]  # a caller's assignments, and their shifts
_IDS_PER_QUERY = 5000  # officers per statement: far under SQLite's parameter limit


async def _whose(session: AsyncSession, principals: Sequence[Principal]) -> list[list[uuid.UUID]]:
    """Whose assignments each caller syncs: an officer its own; a delegation lead everyone of its country."""
    countries = {p.country for p in principals if p.role == "delegation_lead" and p.country}
    people: dict[str, list[uuid.UUID]] = {country: [] for country in countries}
    if countries:
        rows = await session.execute(select(User.id, User.country_code).where(User.country_code.in_(countries)))
        for user_id, country in rows:
            people[country].append(user_id)
    return [people[p.country] if p.role == "delegation_lead" and p.country else [p.user_id] for p in principals]


async def _own_snapshots(session: AsyncSession, principals: Sequence[Principal], upto: int) -> list[OwnSnapshot]:
    """First pulls: each caller's assignments and those assignments' shifts, from one query for all of them.

    Same rows as the general queries below with after = 0: live assignments up to `upto`, and the live shifts
    (up to `upto`) of those, each shift at the latest version of itself or of the caller's assignments to it.
    Kept in the session for the `assignment` and `shift` sources of the same batch.
    """
    kept = session.info.get(_SNAPSHOTS_KEY)
    if kept is not None and kept[0] is principals and kept[1] == upto:
        return kept[2]  # type: ignore[no-any-return]
    values = raw_values(session)
    # Who sees each officer's assignments: the officer, and its delegation lead when one is in the batch.
    seen_by: dict[str, list[int]] = {}
    for i, user_ids in enumerate(await _whose(session, principals)):
        for user_id in user_ids:
            seen_by.setdefault(str(user_id), []).append(i)
    assignments: list[list[SyncChange]] = [[] for _ in principals]
    shifts: list[dict[str, tuple[int, int]]] = [{} for _ in principals]  # shift id → (version, its own version)
    texts: dict[Any, str] = {}  # raw id → its text, for the ids many rows repeat (officers, shifts)

    def text_of(value: Any) -> str:
        found = texts[value] = values.uuid(value)
        return found

    people = [uuid.UUID(user_id) for user_id in seen_by]
    for chunk in range(0, len(people), _IDS_PER_QUERY):
        params = {"user_ids": people[chunk : chunk + _IDS_PER_QUERY]}
        for (
            a_id,
            status,
            a_shift_id,
            a_user_id,
            checked_in_at,
            checked_out_at,
            a_version,
            s_version,
            s_deleted,
        ) in await core_rows(session, _OWN_SNAPSHOTS(session), params):
            if a_version > upto:
                continue  # changed since the clock was read: it comes with the next pass
            owner = texts.get(a_user_id) or text_of(a_user_id)
            shift_id = texts.get(a_shift_id) or text_of(a_shift_id)
            readers = seen_by[owner]
            if a_version > 0:
                assignment_id = values.uuid(a_id)
                data = {
                    "id": assignment_id,
                    "status": status,
                    "shift_id": shift_id,
                    "officer_id": owner,
                    "checked_in_at": values.time(checked_in_at),
                    "checked_out_at": values.time(checked_out_at),
                }
                change = SyncChange(entity="assignment", id=assignment_id, op="upsert", data=data, version=a_version)
                for i in readers:
                    assignments[i].append(change)
            if s_deleted is None and s_version <= upto:
                for i in readers:
                    seen = shifts[i].get(shift_id, (0, 0))[0]
                    shifts[i][shift_id] = (max(s_version, a_version, seen), s_version)
    encoded = await _shift_fragments(session, {(sid, v) for mine in shifts for sid, (_, v) in mine.items()})
    found = [
        (
            # In (version, id) order already when one query brought them all; several are merged here.
            mine if len(people) <= _IDS_PER_QUERY else sorted(mine, key=PAGE_ORDER),
            sorted(
                (
                    SyncChange(entity="shift", id=sid, op="upsert", data=encoded[(sid, own)], version=version)
                    for sid, (version, own) in their_shifts.items()
                    if (sid, own) in encoded  # else changed since `upto`: it comes with the next pass
                ),
                key=PAGE_ORDER,
            ),
        )
        for mine, their_shifts in zip(assignments, shifts, strict=True)
    ]
    session.info[_SNAPSHOTS_KEY] = (principals, upto, found)
    return found


async def _shift_fragments(session: AsyncSession, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    """Each shift's data encoded once per version (it reads the same for each of its officers), by (id, version).

    A shift read here may be newer than the version asked for (it changed in between): it is kept under its own
    version, and the one asked for is left out of this answer; the change reaches the phone in the next pass.
    """
    cache = fragments(session)
    found: dict[tuple[str, int], Any] = {}
    missing = []
    for shift_id, version in wanted:
        encoded = cache.get(("shift", shift_id, version))
        if encoded is None:
            missing.append(uuid.UUID(shift_id))
        else:
            found[(shift_id, version)] = encoded
    for chunk in range(0, len(missing), 500):
        for r in await session.execute(select(*_SHIFT_COLUMNS).where(Shift.id.in_(missing[chunk : chunk + 500]))):
            encoded = raw_json(shift_data(r))
            cache.put(("shift", str(r.id), r.version), encoded)
            found[(str(r.id), r.version)] = encoded
    return found


@snapshot_source("assignment")
async def assignment_snapshots(
    session: AsyncSession, principals: Sequence[Principal], upto: int
) -> list[list[SyncChange]]:
    return [mine for mine, _ in await _own_snapshots(session, principals, upto)]


@snapshot_source("shift")
async def shift_snapshots(session: AsyncSession, principals: Sequence[Principal], upto: int) -> list[list[SyncChange]]:
    return [mine for _, mine in await _own_snapshots(session, principals, upto)]


@paged_pull_source("assignment")
async def assignments_changed(
    session: AsyncSession, principal: Principal, after: int, upto: int, start: PageKey | None, limit: int
) -> list[SyncChange]:
    if not syncs_assignments(principal):
        return []
    query = _scoped(select(*_ASSIGNMENT_COLUMNS), principal).where(
        in_range(Assignment.version, after, upto), after_key(Assignment.version, Assignment.id, start)
    )
    if after == 0:
        query = query.where(Assignment.deleted_at.is_(None))
    rows = await session.execute(query.order_by(Assignment.version, Assignment.id).limit(limit))
    changes = [
        SyncChange(entity="assignment", id=str(r.id), op="delete", data=None, version=r.version)
        if r.deleted_at is not None
        else SyncChange(entity="assignment", id=str(r.id), op="upsert", data=assignment_data(r), version=r.version)
        for r in rows
    ]
    lost = await tombstone_changes(session, principal.user_id, "assignment", after, upto, start, limit)
    return merge(changes, lost, limit) if lost else changes


@paged_pull_source("shift")
async def shifts_changed(
    session: AsyncSession, principal: Principal, after: int, upto: int, start: PageKey | None, limit: int
) -> list[SyncChange]:
    if principal.manages_all:
        return await _all_shifts(session, after, upto, start, limit)
    if not syncs_assignments(principal):
        return []
    changes = await _shifts_of_assignments(session, principal, after, upto)
    # Shifts a delegation lead lost sight of without an unassignment (its officer moved to another country).
    lost = await tombstone_changes(session, principal.user_id, "shift", after, upto, None, 100_000)
    if lost:
        changes = merge(sorted(changes, key=PAGE_ORDER), lost, 100_000)
    return page_of(changes, start, limit)


async def _all_shifts(
    session: AsyncSession, after: int, upto: int, start: PageKey | None, limit: int
) -> list[SyncChange]:
    query = select(*_SHIFT_COLUMNS).where(
        in_range(Shift.version, after, upto), after_key(Shift.version, Shift.id, start)
    )
    if after == 0:
        query = query.where(Shift.deleted_at.is_(None))
    rows = await session.execute(query.order_by(Shift.version, Shift.id).limit(limit))
    return [
        SyncChange(entity="shift", id=str(r.id), op="delete", data=None, version=r.version)
        if r.deleted_at is not None
        else SyncChange(entity="shift", id=str(r.id), op="upsert", data=shift_data(r), version=r.version)
        for r in rows
    ]


async def _shifts_of_assignments(
    session: AsyncSession, principal: Principal, after: int, upto: int
) -> list[SyncChange]:
    """Shifts of the caller's assignments that changed, or whose assignment did (new, moved, removed).

    A shift the caller no longer has any live assignment for is sent as a delete when that loss happened
    in the range; a shift is bounded per officer (two weeks) and per country, so this is not paged in SQL.
    """
    query = _scoped(
        select(*_SHIFT_COLUMNS, Assignment.version.label("a_version"), Assignment.deleted_at.label("a_deleted"))
        .select_from(Assignment)
        .join(Shift, Shift.id == Assignment.shift_id),
        principal,
    )
    if after == 0:
        query = query.where(
            Assignment.deleted_at.is_(None),
            Shift.deleted_at.is_(None),
            Shift.version <= upto,
            Assignment.version <= upto,
        )
    else:
        query = query.where(
            (in_range(Shift.version, after, upto) | in_range(Assignment.version, after, upto)),
            Shift.version <= upto,
            Assignment.version <= upto,
        )
    seen: dict[uuid.UUID, dict[str, Any]] = {}
    for r in await session.execute(query):
        entry = seen.setdefault(r.id, {"row": r, "live": False, "lost_version": 0, "version": 0})
        if r.a_deleted is None:
            entry["live"] = True
            if after < r.a_version <= upto:
                entry["version"] = max(entry["version"], r.a_version)
        elif after < r.a_version <= upto:
            entry["lost_version"] = max(entry["lost_version"], r.a_version)
        if after < r.version <= upto:
            entry["version"] = max(entry["version"], r.version)
    changes: list[SyncChange] = []
    for shift_id, entry in seen.items():
        row = entry["row"]
        if entry["live"] and row.deleted_at is None and entry["version"]:
            changes.append(
                SyncChange(
                    entity="shift", id=str(shift_id), op="upsert", data=shift_data(row), version=entry["version"]
                )
            )
        elif entry["live"] and row.deleted_at is not None and after < row.version <= upto:
            changes.append(SyncChange(entity="shift", id=str(shift_id), op="delete", data=None, version=row.version))
        elif not entry["live"] and entry["lost_version"]:
            changes.append(
                SyncChange(entity="shift", id=str(shift_id), op="delete", data=None, version=entry["lost_version"])
            )
    return changes


async def _own_assignment(
    session: AsyncSession, principal: Principal, args: dict[str, Any]
) -> tuple[Assignment, Shift]:
    given = args.get("assignment_id")
    try:
        assignment_id = uuid.UUID(str(given))
    except ValueError:
        raise Invalid(
            say(principal.locale, msg.WHICH_ASSIGNMENT),
            errors=[{"field": "args.assignment_id", "message": "a UUID is required"}],
        ) from None
    row = (
        await session.execute(
            select(Assignment, Shift).join(Shift, Shift.id == Assignment.shift_id).where(Assignment.id == assignment_id)
        )
    ).first()
    if row is None or row.Assignment.user_id != principal.user_id:
        raise NotFound(say(principal.locale, msg.NOT_YOURS))
    if row.Assignment.deleted_at is not None or row.Shift.deleted_at is not None:
        raise Conflict(say(principal.locale, msg.UNASSIGNED), reason="unassigned")
    return row.Assignment, row.Shift


def _not_in_future(principal: Principal, occurred_at: datetime) -> None:
    if occurred_at > datetime.now(occurred_at.tzinfo) + CLOCK_SKEW:
        raise Invalid(say(principal.locale, msg.FUTURE), reason="clock")


@mutation("shift.checkin")
async def check_in(
    session: AsyncSession, principal: Principal, args: dict[str, Any], occurred_at: datetime
) -> dict[str, Any] | None:
    """The officer reports at the post; the time is when it happened on the phone, offline or not."""
    assignment, shift = await _own_assignment(session, principal, args)
    _not_in_future(principal, occurred_at)
    if assignment.status != "assigned":
        # Checked in already (another device, an earlier offline action): the first time stands.
        return {"status": assignment.status, "checked_in_at": assignment.checked_in_at, "already": True}
    if not shift.starts_at - CHECKIN_EARLY <= occurred_at <= shift.ends_at:
        raise Conflict(say(principal.locale, msg.CHECKIN_WINDOW), reason="outside_shift")
    assignment.status = "checked_in"
    assignment.checked_in_at = occurred_at
    await session.flush()
    return {"status": assignment.status, "checked_in_at": assignment.checked_in_at}


@mutation("shift.checkout")
async def check_out(
    session: AsyncSession, principal: Principal, args: dict[str, Any], occurred_at: datetime
) -> dict[str, Any] | None:
    assignment, _shift = await _own_assignment(session, principal, args)
    _not_in_future(principal, occurred_at)
    if assignment.status == "checked_out":
        return {"status": assignment.status, "checked_out_at": assignment.checked_out_at, "already": True}
    if assignment.status != "checked_in" or assignment.checked_in_at is None:
        raise Conflict(say(principal.locale, msg.NOT_CHECKED_IN), reason="not_checked_in")
    if occurred_at < assignment.checked_in_at:
        raise Conflict(say(principal.locale, msg.BEFORE_CHECKIN), reason="before_checkin")
    assignment.status = "checked_out"
    assignment.checked_out_at = occurred_at
    await session.flush()
    return {"status": assignment.status, "checked_out_at": assignment.checked_out_at}
