"""Two coordinators at once cannot overbook a shift nor double-book an officer (real concurrent sessions)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from liaison.auth.principal import Principal
from liaison.database import make_engine, make_sessionmaker
from liaison.errors import Conflict
from liaison.shifts import planning, rules
from liaison.shifts.models import Assignment, Shift
from tests.factories import person


def _coordinator(world) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(
        user_id=world.coordinator.id, device_id=uuid.uuid4(), role="coordinator", country=None, locale="en", name="C"
    )


async def _race(app, monkeypatch, attempts):  # type: ignore[no-untyped-def]
    """Runs the assignments concurrently, each in its own session and connection, with a widened race window."""
    real_count = rules.live_count

    async def slow_count(session, shift_id):  # type: ignore[no-untyped-def]
        count = await real_count(session, shift_id)
        # Without locking, every racer would read the same count here and all would pass the check.
        await asyncio.sleep(0.05)
        return count

    monkeypatch.setattr(rules, "live_count", slow_count)
    engine = make_engine(app.state.settings)
    sessions = make_sessionmaker(engine)

    async def one(principal, shift_id, officer_id):  # type: ignore[no-untyped-def]
        async with sessions() as session:
            try:
                await planning.assign(session, principal, "en", timedelta(hours=11), shift_id, officer_id)
                return "assigned"
            except Conflict as exc:
                return exc.extra["reason"]

    try:
        return await asyncio.gather(*(one(*a) for a in attempts))
    finally:
        await engine.dispose()


async def test_two_coordinators_cannot_overbook_a_shift(app, world, db, monkeypatch):
    extra = [person("officer", f"Officer{i}", "Racer", "IT") for i in range(8)]
    db.add_all(extra)
    shift = Shift(
        venue_id=world.venue.id,
        starts_at=world.shift_tomorrow.starts_at + timedelta(days=2),
        ends_at=world.shift_tomorrow.ends_at + timedelta(days=2),
        task="Crowd liaison",
        headcount=3,
    )
    db.add(shift)
    await db.commit()
    principal = _coordinator(world)
    outcomes = await _race(app, monkeypatch, [(principal, shift.id, o.id) for o in extra])
    assert sorted(outcomes) == ["assigned"] * 3 + ["full"] * 5
    live = (
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.shift_id == shift.id, Assignment.deleted_at.is_(None))
    )
    assert (await db.execute(live)).scalar_one() == 3


async def test_one_officer_cannot_be_booked_on_two_overlapping_shifts_at_once(app, world, db, monkeypatch):
    shifts = [
        Shift(
            venue_id=world.venue.id,
            starts_at=world.shift_tomorrow.starts_at + timedelta(days=3, hours=h),
            ends_at=world.shift_tomorrow.ends_at + timedelta(days=3, hours=h),
            task=f"Post {h}",
            headcount=2,
        )
        for h in range(4)
    ]
    db.add_all(shifts)
    await db.commit()
    principal = _coordinator(world)
    outcomes = await _race(app, monkeypatch, [(principal, s.id, world.officer_de2.id) for s in shifts])
    assert sorted(outcomes) == ["assigned"] + ["overlap"] * 3
