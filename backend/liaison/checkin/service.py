"""Accreditation tokens, revocations and desk check-ins: the rules, without HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.checkin import messages
from liaison.checkin.keys import KeyRing
from liaison.checkin.models import AccreditationRevocation, Checkin
from liaison.checkin.tokens import CLOCK_LEEWAY, AccreditationClaims, TokenRefused, sign, validity, verify
from liaison.database import utcnow
from liaison.errors import Forbidden, Invalid, NotFound
from liaison.officers.models import User
from liaison.sync.versioning import transaction_version

OFFICER_ROLES = ("officer", "delegation_lead")
# An offline desk may replay a day-old queue; a week is the outer bound of believable.
MAX_REPLAY_AGE = timedelta(days=7)


class CheckinRefused(Invalid):
    """422 with a machine-readable `reason` and the detail in the desk agent's language."""

    def __init__(self, lang: str, reason: str, **params: object) -> None:
        super().__init__(messages.refusal(lang, reason, **params), reason=reason)


@dataclass(frozen=True)
class Issued:
    token: str
    kid: str
    issued_at: datetime
    not_before: datetime
    expires_at: datetime
    officer: User


@dataclass(frozen=True)
class CheckinOutcome:
    result: Literal["checked_in", "already_checked_in"]
    officer: User
    checkin: Checkin
    checked_in_at: datetime | None


# -- tokens -------------------------------------------------------------------------------------------------
async def _revocation(session: AsyncSession, accreditation_id: str) -> AccreditationRevocation | None:
    return (
        await session.execute(
            select(AccreditationRevocation).where(AccreditationRevocation.accreditation_id == accreditation_id)
        )
    ).scalar_one_or_none()


async def issue_token(session: AsyncSession, ring: KeyRing, officer_id: uuid.UUID, issuer: str, lang: str) -> Issued:
    officer = await session.get(User, officer_id)
    if officer is None or officer.deleted_at is not None or not officer.accreditation_id:
        raise NotFound(messages.text(lang, messages.NO_ACCREDITATION))
    revoked = await _revocation(session, officer.accreditation_id)
    if revoked is not None and revoked.reason == "withdrawn":
        raise Forbidden(messages.text(lang, messages.WITHDRAWN_FOR_HOLDER), reason="withdrawn")
    now = utcnow()
    not_before, expires_at = validity(now, officer.arrival, officer.departure)
    token, kid = sign(
        ring,
        issuer=issuer,
        accreditation_id=officer.accreditation_id,
        officer_id=officer.id,
        name=officer.name,
        country=officer.country_code,
        role=officer.role,
        rank=officer.rank,
        generation=revoked.generation if revoked is not None else 0,
        now=now,
        not_before=not_before,
        expires_at=expires_at,
    )
    return Issued(token, kid, now.replace(microsecond=0), not_before, expires_at, officer)


# -- revocations ----------------------------------------------------------------------------------------------
async def revoke(
    session: AsyncSession, principal: Principal, accreditation_id: str, reason: str, note: str
) -> AccreditationRevocation:
    officer = (
        await session.execute(select(User).where(User.accreditation_id == accreditation_id))
    ).scalar_one_or_none()
    if officer is None:
        raise NotFound(f"No officer holds accreditation {accreditation_id}.")
    row = await _revocation(session, accreditation_id)
    now = utcnow()
    if row is None:
        row = AccreditationRevocation(accreditation_id=accreditation_id, officer_id=officer.id, generation=0)
        session.add(row)
    if row.reason == "withdrawn" and reason == "lost":
        return row  # a withdrawn accreditation stays withdrawn; "lost" would re-open it
    # Each "lost" report invalidates every token issued so far; the phone's next fetch gets the new generation.
    row.generation = (row.generation or 0) + 1
    row.reason, row.note, row.revoked_at, row.revoked_by = reason, note, now, principal.user_id
    await session.commit()
    return row


async def revocations(session: AsyncSession, limit: int, offset: int) -> tuple[list[AccreditationRevocation], int]:
    total = (await session.execute(select(func.count()).select_from(AccreditationRevocation))).scalar_one()
    rows = await session.execute(
        select(AccreditationRevocation)
        .order_by(AccreditationRevocation.revoked_at, AccreditationRevocation.accreditation_id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars()), total


# -- check-in -------------------------------------------------------------------------------------------------
def scan_time(occurred_at: datetime | None, now: datetime) -> datetime:
    """When the desk scanned: now when online, the queued time when replayed; never naive, never future."""
    if occurred_at is None:
        return now
    if occurred_at.tzinfo is None:
        raise Invalid(
            "occurred_at needs a time zone offset.", errors=[{"field": "occurred_at", "message": "naive datetime"}]
        )
    if occurred_at > now + CLOCK_LEEWAY:
        raise Invalid(
            "occurred_at is in the future: check the desk's clock.",
            errors=[{"field": "occurred_at", "message": "in the future"}],
        )
    if occurred_at < now - MAX_REPLAY_AGE:
        raise Invalid("occurred_at is more than a week ago.", errors=[{"field": "occurred_at", "message": "too old"}])
    return occurred_at


async def _holder(
    session: AsyncSession,
    lang: str,
    ring: KeyRing,
    issuer: str,
    token: str | None,
    accreditation_id: str | None,
    at: datetime,
    now: datetime,
) -> tuple[User, AccreditationClaims | None]:
    claims: AccreditationClaims | None = None
    if token:
        try:
            claims = verify(ring, token, issuer=issuer, at=at, now=now)
        except TokenRefused as refused:
            raise CheckinRefused(lang, refused.reason) from None
        officer = await session.get(User, claims.officer_id)
        wanted = claims.accreditation_id
    else:
        wanted = (accreditation_id or "").strip().upper()
        officer = (await session.execute(select(User).where(User.accreditation_id == wanted))).scalar_one_or_none()
    if officer is None or officer.deleted_at is not None or officer.role not in OFFICER_ROLES:
        raise CheckinRefused(lang, "unknown_accreditation", accreditation_id=wanted)
    if officer.accreditation_id != wanted:
        raise CheckinRefused(lang, "superseded")
    revoked = await _revocation(session, wanted)
    # A revocation made after the (offline) scan does not undo an arrival that really happened.
    if revoked is not None and revoked.revoked_at <= at:
        if revoked.reason == "withdrawn":
            raise CheckinRefused(lang, "withdrawn")
        if claims is not None and claims.generation < revoked.generation:
            raise CheckinRefused(lang, "revoked")
    return officer, claims


def _is_conflict(first: Checkin | None, repeat: Checkin) -> bool:
    """Two desks that could not know of each other: one was offline, and the repeat was scanned before the
    server had the first. An online desk that scans again afterwards was told `already_checked_in` at once."""
    if first is None or first.device_id == repeat.device_id:
        return False
    if "offline" not in (first.source, repeat.source):
        return False
    return repeat.occurred_at < first.received_at


async def check_in(
    session: AsyncSession,
    principal: Principal,
    ring: KeyRing,
    issuer: str,
    *,
    lang: str,
    token: str | None,
    accreditation_id: str | None,
    occurred_at: datetime | None,
    source: Literal["online", "offline"],
    mutation_id: str | None = None,
) -> CheckinOutcome:
    """Records one scan in the session's transaction (the caller commits).

    Exactly one scan per officer counts. Taking the transaction's sync version locks the sync clock until
    commit, so from there on concurrent check-ins run one after the other and each sees the one before;
    the partial unique index on counted scans is the guarantee should that ever change."""
    if not token and not accreditation_id:
        raise Invalid("Send a token or an accreditation_id.", errors=[{"field": "token", "message": "missing"}])
    now = utcnow()
    at = scan_time(occurred_at, now)
    officer, claims = await _holder(session, lang, ring, issuer, token, accreditation_id, at, now)
    version = await transaction_version(session)
    first = (
        await session.execute(select(Checkin).where(Checkin.officer_id == officer.id, Checkin.outcome == "checked_in"))
    ).scalar_one_or_none()
    row = Checkin(
        id=uuid.uuid4(),
        officer_id=officer.id,
        accreditation_id=officer.accreditation_id or "",
        method="token" if claims else "accreditation_id",
        source=source,
        desk_user_id=principal.user_id,
        device_id=principal.device_id,
        key_id=claims.kid if claims else None,
        mutation_id=mutation_id,
        occurred_at=at,
        received_at=now,
        outcome="checked_in",
    )
    arrive = update(User).where(User.id == officer.id).values(version=version, updated_at=now)
    if first is None:
        claimed = await session.execute(
            arrive.where(User.status == "expected").values(status="arrived", arrived_at=at).returning(User.id)
        )
        if claimed.first() is not None:
            session.add(row)
            await session.flush()
            await session.refresh(officer)
            return CheckinOutcome("checked_in", officer, row, at)
    # A repeat. Also when the officer was marked arrived without a desk (then there is no first scan).
    row.outcome = "already_checked_in"
    row.first_checkin_id = first.id if first else None
    row.conflict = _is_conflict(first, row)
    session.add(row)
    # Someone set the status back to expected after the counted scan: this scan proves the arrival again.
    await session.execute(arrive.where(User.status == "expected").values(status="arrived", arrived_at=at))
    # The officer really arrived at the earliest scan, even when that desk synced later.
    await session.execute(arrive.where(User.arrived_at > at).values(arrived_at=at))
    await session.flush()
    await session.refresh(officer)
    return CheckinOutcome("already_checked_in", officer, row, officer.arrived_at)


# -- lists ----------------------------------------------------------------------------------------------------
async def list_checkins(
    session: AsyncSession, officer_id: uuid.UUID | None, limit: int, offset: int
) -> tuple[list[Checkin], int]:
    query = select(Checkin)
    if officer_id is not None:
        query = query.where(Checkin.officer_id == officer_id)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(query.order_by(Checkin.received_at.desc(), Checkin.id).limit(limit).offset(offset))
    return list(rows.scalars()), total


async def conflicts(
    session: AsyncSession, include_reviewed: bool, limit: int, offset: int
) -> tuple[list[tuple[Checkin, Checkin | None, User]], int]:
    query = select(Checkin).where(Checkin.conflict.is_(True))
    if not include_reviewed:
        query = query.where(Checkin.reviewed_at.is_(None))
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    repeats = list(
        (
            await session.execute(query.order_by(Checkin.received_at.desc(), Checkin.id).limit(limit).offset(offset))
        ).scalars()
    )
    firsts = {c.id: c for c in await _by_ids(session, [r.first_checkin_id for r in repeats if r.first_checkin_id])}
    officers = {
        u.id: u
        for u in (await session.execute(select(User).where(User.id.in_({r.officer_id for r in repeats})))).scalars()
    }
    items = [
        (r, firsts.get(r.first_checkin_id) if r.first_checkin_id else None, officers[r.officer_id]) for r in repeats
    ]
    return items, total


async def _by_ids(session: AsyncSession, ids: list[uuid.UUID]) -> list[Checkin]:
    if not ids:
        return []
    return list((await session.execute(select(Checkin).where(Checkin.id.in_(ids)))).scalars())


async def review_conflict(session: AsyncSession, principal: Principal, checkin_id: uuid.UUID) -> Checkin:
    row = await session.get(Checkin, checkin_id)
    if row is None or not row.conflict:
        raise NotFound(f"No check-in conflict {checkin_id}.")
    if row.reviewed_at is None:
        row.reviewed_at, row.reviewed_by = utcnow(), principal.user_id
        await session.commit()
    return row
