"""Planning shifts and assignments: the rules, the locks, and the news every change sends to officers.

Concurrency: every write here first takes the transaction's sync version — an UPDATE of the one sync-clock
row, whose lock is held until commit — and then locks the shift rows it touches (`FOR UPDATE` on
PostgreSQL). Checks made after that see every committed change and nothing can slip in before this commit,
so two coordinators cannot overbook a shift or double-book an officer. On SQLite the clock UPDATE takes
the database's single write lock up front, which serialises the same way. Taking the clock first, always,
also means the row locks are never taken in two orders: no deadlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.audit.service import record
from liaison.auth.principal import Principal
from liaison.errors import Conflict, Invalid, NotFound
from liaison.i18n.catalogs import gettext
from liaison.i18n.locales import normalize
from liaison.officers.models import User
from liaison.push.outbox import enqueue_push
from liaison.shifts import rules
from liaison.shifts.models import Assignment, Shift
from liaison.shifts.planning_schemas import BulkOut, BulkResult, CheckResult, ShiftIn, ShiftPatch
from liaison.sync.versioning import Tombstone, transaction_version
from liaison.venues.models import Venue

OFFICER_ROLES = ("officer", "delegation_lead")
# What an officer is told about, old → new: a change of anything else does not wake a phone.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue_id", "task")


def _refuse(refused: rules.Refused) -> Conflict:
    extra: dict[str, Any] = {"reason": refused.reason}
    if refused.shift_id is not None:
        extra["conflicting_shift_id"] = str(refused.shift_id)
    return Conflict(refused.detail, **extra)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def _venue(session: AsyncSession, venue_id: uuid.UUID) -> Venue:
    venue = await session.get(Venue, venue_id)
    if venue is None or venue.deleted_at is not None:
        raise Invalid(f"No venue {venue_id}.", errors=[{"field": "venue_id", "message": "unknown venue"}])
    return venue


def snapshot(shift: Shift, venue_name: str) -> dict[str, Any]:
    """What a push tells an officer about a shift (the renderer words it; times ISO UTC)."""
    return {
        "shift_id": str(shift.id),
        "starts_at": _iso(shift.starts_at),
        "ends_at": _iso(shift.ends_at),
        "venue_id": str(shift.venue_id),
        "venue": venue_name,
        "task": shift.task,
    }


def _audited(shift: Shift, venue_name: str) -> dict[str, Any]:
    """A shift as the audit log keeps it: what a coordinator can change."""
    return {
        "shift_id": str(shift.id),
        "venue": venue_name,
        "starts_at": _iso(shift.starts_at),
        "ends_at": _iso(shift.ends_at),
        "task": shift.task,
        "headcount": shift.headcount,
        "contact_name": shift.contact_name,
        "contact_phone": shift.contact_phone,
        "languages": list(shift.languages or []),
        "notes": shift.notes,
    }


def _notify(
    session: AsyncSession,
    assignment: Assignment,
    change: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    enqueue_push(
        session,
        kind="assignment",
        ref_id=assignment.id,
        user_ids=[assignment.user_id],
        urgency="high",
        params={"change": change, "before": before, "after": after},
    )


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            raise Invalid(f"{field} needs a UTC offset", errors=[{"field": field, "message": "add a UTC offset"}])
    if ends_at <= starts_at:
        raise Invalid("A shift must end after it starts.", errors=[{"field": "ends_at", "message": "before start"}])
    if ends_at - starts_at > rules.MAX_SHIFT:
        raise Invalid(
            "A shift lasts at most 24 hours.", errors=[{"field": "ends_at", "message": "longer than 24 hours"}]
        )


def _languages(tags: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        norm = normalize(tag)
        if norm and norm not in seen:
            seen.append(norm)
    return seen


# --- shifts -------------------------------------------------------------------------------------------


def _window(query: Select[Any], start: datetime | None, end: datetime | None) -> Select[Any]:
    if start is not None:
        query = query.where(Shift.ends_at > start, Shift.starts_at > start - rules.MAX_SHIFT)
    if end is not None:
        query = query.where(Shift.starts_at < end)
    return query


async def list_shifts(
    session: AsyncSession,
    *,
    venue_id: uuid.UUID | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Shift, Venue, int]], int]:
    query = select(Shift).where(Shift.deleted_at.is_(None))
    if venue_id is not None:
        query = query.where(Shift.venue_id == venue_id)
    query = _window(query, start, end)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    page = query.order_by(Shift.starts_at, Shift.id).limit(limit).offset(offset).subquery()
    assigned = (
        select(Assignment.shift_id, func.count().label("n"))
        .where(Assignment.deleted_at.is_(None), Assignment.shift_id.in_(select(page.c.id)))
        .group_by(Assignment.shift_id)
        .subquery()
    )
    rows = await session.execute(
        select(Shift, Venue, func.coalesce(assigned.c.n, 0))
        .join(page, page.c.id == Shift.id)
        .join(Venue, Venue.id == Shift.venue_id)
        .outerjoin(assigned, assigned.c.shift_id == Shift.id)
        .order_by(Shift.starts_at, Shift.id)
    )
    return [(s, v, n) for s, v, n in rows.all()], total


async def get_shift(session: AsyncSession, shift_id: uuid.UUID) -> tuple[Shift, Venue, int]:
    row = (
        await session.execute(select(Shift, Venue).join(Venue, Venue.id == Shift.venue_id).where(Shift.id == shift_id))
    ).first()
    if row is None or row.Shift.deleted_at is not None:
        raise NotFound(f"No shift {shift_id}.")
    return row.Shift, row.Venue, await rules.live_count(session, shift_id)


async def create_shift(session: AsyncSession, principal: Principal, data: ShiftIn) -> tuple[Shift, Venue]:
    _check_times(data.starts_at, data.ends_at)
    venue = await _venue(session, data.venue_id)
    shift = Shift(
        venue_id=venue.id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        task=data.task.strip(),
        headcount=data.headcount,
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip(),
        languages=_languages(data.languages),
        notes=data.notes,
    )
    session.add(shift)
    await session.flush()
    await record(session, principal, "shift.create", ("shift", shift.id), {"after": _audited(shift, venue.name)})
    await session.commit()
    return shift, venue


async def _locked_shift(session: AsyncSession, shift_id: uuid.UUID) -> Shift:
    shift = (
        await session.execute(select(Shift).where(Shift.id == shift_id, Shift.deleted_at.is_(None)).with_for_update())
    ).scalar_one_or_none()
    if shift is None:
        raise NotFound(f"No shift {shift_id}.")
    return shift


async def _live_assignments(session: AsyncSession, shift_id: uuid.UUID) -> list[tuple[Assignment, User]]:
    rows = await session.execute(
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.shift_id == shift_id, Assignment.deleted_at.is_(None))
    )
    return [(a, u) for a, u in rows.all()]


async def update_shift(
    session: AsyncSession, principal: Principal, lang: str, rest: timedelta, shift_id: uuid.UUID, patch: ShiftPatch
) -> tuple[Shift, Venue, int]:
    await transaction_version(session)
    shift = await _locked_shift(session, shift_id)
    old_venue = await _venue(session, shift.venue_id)
    before = snapshot(shift, old_venue.name)
    old = {f: getattr(shift, f) for f in NOTIFIED_FIELDS}
    audited_before = _audited(shift, old_venue.name)
    starts_at = patch.starts_at or shift.starts_at
    ends_at = patch.ends_at or shift.ends_at
    _check_times(starts_at, ends_at)
    venue = await _venue(session, patch.venue_id) if patch.venue_id else old_venue
    assigned = await _live_assignments(session, shift.id)
    if patch.headcount is not None and patch.headcount < len(assigned):
        raise Conflict(
            gettext(
                lang,
                "{assigned} officers are assigned to this shift: unassign some before lowering the headcount to "
                "{headcount}.",
                domain=rules.DOMAIN,
                assigned=len(assigned),
                headcount=patch.headcount,
            ),
            reason="full",
        )
    if starts_at != shift.starts_at or ends_at != shift.ends_at:
        slot = rules.Slot(shift.id, starts_at, ends_at)
        conflicts = []
        for _, officer in assigned:
            refused = rules.stay_refusal(lang, officer, slot) or await rules.schedule_refusal(
                session, lang, officer, slot, rest, {shift.id}
            )
            if refused:
                conflicts.append((officer, refused))
        if conflicts:
            first = conflicts[0][1]
            raise Conflict(
                first.detail,
                reason=first.reason,
                conflicts=[{"officer_id": str(o.id), "reason": r.reason, "detail": r.detail} for o, r in conflicts],
            )
    for field in ("starts_at", "ends_at", "task", "headcount", "contact_name", "contact_phone", "notes"):
        value = getattr(patch, field)
        if value is not None:
            setattr(shift, field, value.strip() if isinstance(value, str) and field != "notes" else value)
    shift.venue_id = venue.id
    if patch.languages is not None:
        shift.languages = _languages(patch.languages)
    if any(getattr(shift, f) != old[f] for f in NOTIFIED_FIELDS):
        after = snapshot(shift, venue.name)
        for assignment, _ in assigned:
            _notify(session, assignment, "updated", before, after)
    audited_after = _audited(shift, venue.name)
    changed = [k for k in audited_after if audited_after[k] != audited_before[k]]
    if changed:
        await record(
            session,
            principal,
            "shift.update",
            ("shift", shift.id),
            {
                "before": {k: audited_before[k] for k in changed},
                "after": {k: audited_after[k] for k in changed},
                "officers_told": len(assigned) if any(getattr(shift, f) != old[f] for f in NOTIFIED_FIELDS) else 0,
            },
        )
    await session.commit()
    return shift, venue, len(assigned)


async def delete_shift(session: AsyncSession, principal: Principal, shift_id: uuid.UUID) -> None:
    """Cancels a shift: it and its assignments become tombstones; each officer is told."""
    version = await transaction_version(session)
    shift = await _locked_shift(session, shift_id)
    venue = await _venue(session, shift.venue_id)
    before = snapshot(shift, venue.name)
    shift.soft_delete()
    officers: list[str] = []
    for assignment, officer in await _live_assignments(session, shift.id):
        assignment.soft_delete()
        session.add(Tombstone(entity="shift", entity_id=str(shift.id), user_id=str(officer.id), version=version))
        _notify(session, assignment, "unassigned", before, None)
        officers.append(str(officer.id))
    details = {"before": _audited(shift, venue.name), "unassigned_officers": officers}
    await record(session, principal, "shift.cancel", ("shift", shift.id), details)
    await session.commit()


# --- assignments --------------------------------------------------------------------------------------


async def _officer(session: AsyncSession, officer_id: uuid.UUID) -> User | None:
    user = await session.get(User, officer_id)
    if user is None or user.deleted_at is not None or user.role not in OFFICER_ROLES:
        return None
    return user


async def _refusal(
    session: AsyncSession, lang: str, rest: timedelta, shift: Shift, officer: User, ignore: set[uuid.UUID]
) -> rules.Refused | None:
    """The first rule assigning `officer` to `shift` would break, in the order a coordinator should hear them."""
    slot = rules.Slot(shift.id, shift.starts_at, shift.ends_at)
    already = (
        await session.execute(
            select(Assignment.id).where(
                Assignment.shift_id == shift.id, Assignment.user_id == officer.id, Assignment.deleted_at.is_(None)
            )
        )
    ).first()
    if already:
        return rules.already_refusal(lang, officer)
    return (
        rules.full_refusal(lang, await rules.live_count(session, shift.id), shift.headcount)
        or rules.stay_refusal(lang, officer, slot)
        or await rules.schedule_refusal(session, lang, officer, slot, rest, ignore)
    )


def _assignment_details(shift: Shift, venue: Venue, officer: User, **extra: Any) -> dict[str, Any]:
    return {
        "shift_id": shift.id,
        "officer_id": officer.id,
        "officer": officer.name,
        "venue": venue.name,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        **extra,
    }


async def _try_assign(
    session: AsyncSession, lang: str, rest: timedelta, shift: Shift, venue: Venue, officer: User, principal: Principal
) -> Assignment | rules.Refused:
    refused = await _refusal(session, lang, rest, shift, officer, set())
    if refused:
        return refused
    assignment = Assignment(id=uuid.uuid4(), shift_id=shift.id, user_id=officer.id, assigned_by=principal.user_id)
    session.add(assignment)
    # Flushed at once so the next check in this transaction (bulk) counts it.
    await session.flush()
    _notify(session, assignment, "assigned", None, snapshot(shift, venue.name))
    return assignment


async def assign(
    session: AsyncSession, principal: Principal, lang: str, rest: timedelta, shift_id: uuid.UUID, officer_id: uuid.UUID
) -> Assignment:
    await transaction_version(session)
    shift = await _locked_shift(session, shift_id)
    venue = await _venue(session, shift.venue_id)
    officer = await _officer(session, officer_id)
    if officer is None:
        raise Invalid(f"No officer {officer_id}.", errors=[{"field": "officer_id", "message": "unknown officer"}])
    outcome = await _try_assign(session, lang, rest, shift, venue, officer, principal)
    if isinstance(outcome, rules.Refused):
        raise _refuse(outcome)
    details = _assignment_details(shift, venue, officer)
    await record(session, principal, "assignment.create", ("assignment", outcome.id), details)
    await session.commit()
    return outcome


async def check(
    session: AsyncSession, lang: str, rest: timedelta, shift_id: uuid.UUID, officer_ids: Sequence[uuid.UUID]
) -> list[CheckResult]:
    """What assigning each officer on their own would answer now, without writing anything (no locks either:
    the real assignment checks again under its locks)."""
    shift = (
        await session.execute(select(Shift).where(Shift.id == shift_id, Shift.deleted_at.is_(None)))
    ).scalar_one_or_none()
    if shift is None:
        raise NotFound(f"No shift {shift_id}.")
    wanted = list(dict.fromkeys(officer_ids))
    # One query each for the candidates, those already on the shift and the headcount used; then one
    # schedule query per candidate (an index range on their own shifts): a search page stays interactive.
    found = await session.execute(
        select(User).where(User.id.in_(wanted), User.deleted_at.is_(None), User.role.in_(OFFICER_ROLES))
    )
    officers = {u.id: u for u in found.scalars()}
    on_shift = set(
        (
            await session.execute(
                select(Assignment.user_id).where(
                    Assignment.shift_id == shift.id, Assignment.deleted_at.is_(None), Assignment.user_id.in_(wanted)
                )
            )
        ).scalars()
    )
    assigned = await rules.live_count(session, shift.id)
    slot = rules.Slot(shift.id, shift.starts_at, shift.ends_at)
    results: list[CheckResult] = []
    for officer_id in wanted:
        officer = officers.get(officer_id)
        if officer is None:
            detail = gettext(lang, "No officer with this id.", domain=rules.DOMAIN)
            results.append(CheckResult(officer_id, ok=False, reason="not_found", detail=detail))
            continue
        # The same rules, in the same order, as _refusal.
        refused = (
            rules.already_refusal(lang, officer)
            if officer_id in on_shift
            else rules.full_refusal(lang, assigned, shift.headcount)
            or rules.stay_refusal(lang, officer, slot)
            or await rules.schedule_refusal(session, lang, officer, slot, rest, set())
        )
        if refused is None:
            results.append(CheckResult(officer_id, ok=True))
        else:
            results.append(
                CheckResult(
                    officer_id,
                    ok=False,
                    reason=refused.reason,  # type: ignore[arg-type]
                    detail=refused.detail,
                    conflicting_shift_id=refused.shift_id,
                )
            )
    await session.rollback()
    return results


async def assign_bulk(
    session: AsyncSession,
    principal: Principal,
    lang: str,
    rest: timedelta,
    shift_id: uuid.UUID,
    officer_ids: Sequence[uuid.UUID],
) -> BulkOut:
    """Each officer is assigned or refused with a reason; the ones that pass are kept, in one transaction."""
    await transaction_version(session)
    shift = await _locked_shift(session, shift_id)
    venue = await _venue(session, shift.venue_id)
    results: list[BulkResult] = []
    for officer_id in dict.fromkeys(officer_ids):
        officer = await _officer(session, officer_id)
        if officer is None:
            detail = gettext(lang, "No officer with this id.", domain=rules.DOMAIN)
            results.append(BulkResult(officer_id, "refused", reason="not_found", detail=detail))
            continue
        outcome = await _try_assign(session, lang, rest, shift, venue, officer, principal)
        if isinstance(outcome, rules.Refused):
            results.append(BulkResult(officer_id, "refused", reason=outcome.reason, detail=outcome.detail))  # type: ignore[arg-type]
        else:
            results.append(BulkResult(officer_id, "assigned", assignment_id=outcome.id))
    assigned = sum(1 for r in results if r.status == "assigned")
    if assigned:
        # One entry for the one action, listing who was assigned (a bulk plan may hold thousands of officers).
        details = {
            "shift_id": shift.id,
            "venue": venue.name,
            "starts_at": shift.starts_at,
            "assigned": [
                {"officer_id": r.officer_id, "assignment_id": r.assignment_id} for r in results if r.assignment_id
            ],
            "refused": len(results) - assigned,
        }
        await record(session, principal, "assignment.bulk", ("shift", shift.id), details)
    await session.commit()
    return BulkOut(assigned=assigned, refused=len(results) - assigned, results=results)


async def _locked_assignment(session: AsyncSession, assignment_id: uuid.UUID) -> Assignment:
    assignment = (
        await session.execute(
            select(Assignment).where(Assignment.id == assignment_id, Assignment.deleted_at.is_(None)).with_for_update()
        )
    ).scalar_one_or_none()
    if assignment is None:
        raise NotFound(f"No assignment {assignment_id}.")
    return assignment


async def unassign(session: AsyncSession, principal: Principal, assignment_id: uuid.UUID) -> None:
    version = await transaction_version(session)
    assignment = await _locked_assignment(session, assignment_id)
    shift = await _locked_shift(session, assignment.shift_id)
    venue = await _venue(session, shift.venue_id)
    officer = await session.get(User, assignment.user_id)
    assert officer is not None
    assignment.soft_delete()
    details = _assignment_details(shift, venue, officer)
    await record(session, principal, "assignment.delete", ("assignment", assignment.id), details)
    # The shift still exists but this officer may no longer see it: a tombstone tells their phone.
    session.add(Tombstone(entity="shift", entity_id=str(shift.id), user_id=str(assignment.user_id), version=version))
    _notify(session, assignment, "unassigned", snapshot(shift, venue.name), None)
    await session.commit()


async def move(
    session: AsyncSession,
    principal: Principal,
    lang: str,
    rest: timedelta,
    assignment_id: uuid.UUID,
    target_id: uuid.UUID,
) -> Assignment:
    """Moves an officer to another shift as one change: same assignment, new shift, one push (old → new)."""
    version = await transaction_version(session)
    assignment = await _locked_assignment(session, assignment_id)
    if assignment.status != "assigned":
        raise Conflict(
            gettext(
                lang,
                "This officer has already checked in for the shift: it can no longer be moved.",
                domain=rules.DOMAIN,
            ),
            reason="checked_in",
        )
    source = await _locked_shift(session, assignment.shift_id)
    target = await _locked_shift(session, target_id)
    officer = await session.get(User, assignment.user_id)
    assert officer is not None
    if target.id == source.id:
        raise _refuse(rules.already_refusal(lang, officer))
    refused = await _refusal(session, lang, rest, target, officer, {source.id})
    if refused:
        raise _refuse(refused)
    source_venue = await _venue(session, source.venue_id)
    target_venue = await _venue(session, target.venue_id)
    assignment.shift_id = target.id
    session.add(Tombstone(entity="shift", entity_id=str(source.id), user_id=str(officer.id), version=version))
    _notify(session, assignment, "moved", snapshot(source, source_venue.name), snapshot(target, target_venue.name))
    details = {
        "officer_id": officer.id,
        "officer": officer.name,
        "before": _audited(source, source_venue.name),
        "after": _audited(target, target_venue.name),
    }
    await record(session, principal, "assignment.move", ("assignment", assignment.id), details)
    await session.commit()
    return assignment


async def list_assignments(
    session: AsyncSession,
    principal: Principal,
    *,
    shift_id: uuid.UUID | None,
    officer_id: uuid.UUID | None,
    country: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Assignment, User]], int]:
    """Live assignments; a delegation lead sees its own country's people only."""
    query = (
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(Assignment.deleted_at.is_(None), Shift.deleted_at.is_(None))
    )
    if principal.role == "delegation_lead":
        query = query.where(User.country_code == principal.country)
    elif country:
        query = query.where(User.country_code == country.upper())
    if shift_id is not None:
        query = query.where(Assignment.shift_id == shift_id)
    if officer_id is not None:
        query = query.where(Assignment.user_id == officer_id)
    query = _window(query, start, end)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(
        query.order_by(Shift.starts_at, User.last_name, Assignment.id).limit(limit).offset(offset)
    )
    return [(a, u) for a, u in rows.all()], total
