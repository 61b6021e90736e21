"""Versions commit in order, so a reader never skips a change of a transaction that committed late.

The danger with any counter: transaction A takes version 5, B takes 6, B commits first; a reader then sees
6, moves its cursor to 6, and never gets A's 5. Here taking a version locks the clock row until commit:
B cannot take 6 before A has committed, and a pull only goes up to the committed clock.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import select

from liaison.database import make_engine, make_sessionmaker
from liaison.shifts.models import Shift
from liaison.sync.versioning import SyncClock
from tests.sync_helpers import apply, entities, pull_all


async def test_two_transactions_committing_late_never_make_a_reader_skip_a_change(client, signed, app):
    headers = signed.auth("coordinator")
    start = await pull_all(client, headers)
    engine = make_engine(app.state.settings)
    sessions = make_sessionmaker(engine)
    first, second = sessions(), sessions()
    second_flushed, second_may_commit = asyncio.Event(), asyncio.Event()

    async def second_writer() -> None:
        shift = await second.get(Shift, signed.shift_tomorrow.id)
        shift.notes = "second"
        await second.flush()  # takes the next version: waits for the first transaction to end
        second_flushed.set()
        await second_may_commit.wait()
        await second.commit()

    try:
        # A takes a version and stays open.
        shift = await first.get(Shift, signed.shift_today.id)
        shift.notes = "first"
        await first.flush()
        taken_by_first = shift.version
        # B tries to take the next one while A is open: it has to wait.
        writer = asyncio.create_task(second_writer())
        await asyncio.sleep(0.5)
        assert not second_flushed.is_set(), "a second transaction took a version while the first was uncommitted"
        # A reader in between sees neither and does not move past A's version.
        between = await pull_all(client, headers, start["cursor"])
        assert between["changes"] == []
        # A commits; B gets its version but has not committed yet: the reader gets A's change only.
        await first.commit()
        await asyncio.wait_for(second_flushed.wait(), timeout=10)
        after_first = await pull_all(client, headers, between["cursor"])
        assert [c["data"]["notes"] for c in entities(after_first["changes"], "shift")] == ["first"]
        # B commits: the next pull brings it; nothing was skipped.
        second_may_commit.set()
        await asyncio.wait_for(writer, timeout=10)
        after_second = await pull_all(client, headers, after_first["cursor"])
        shifts = entities(after_second["changes"], "shift")
        assert [c["data"]["notes"] for c in shifts] == ["second"]
        assert shifts[0]["version"] == taken_by_first + 1
    finally:
        second_may_commit.set()
        await first.close()
        await second.close()
        await engine.dispose()


async def test_a_version_taken_in_a_rolled_back_savepoint_is_not_reused(client, signed, db):
    """A savepoint rolled back undoes the clock UPDATE made in it; if the session kept that version, later rows
    would carry a version the clock never commits: the clock would not move (a 304 would hide them) and the
    next transaction would hand out the same number again (a mutation batch rolls back rejected mutations so).
    """
    before = (await db.execute(select(SyncClock.value))).scalar_one()
    await db.commit()
    async with db.begin_nested() as savepoint:
        shift = await db.get(Shift, signed.shift_today.id)
        shift.notes = "rolled back"
        await db.flush()
        await savepoint.rollback()
    shift = await db.get(Shift, signed.shift_tomorrow.id)
    shift.notes = "kept"
    await db.flush()
    await db.commit()
    clock = (await db.execute(select(SyncClock.value))).scalar_one()
    assert clock == shift.version == before + 1
    # And a phone sees it.
    changed = await pull_all(client, signed.auth("coordinator"))
    assert "kept" in [c["data"]["notes"] for c in entities(changed["changes"], "shift")]


async def test_a_phone_pulling_while_many_writers_commit_ends_with_every_change(client, signed, app):
    """Twenty transactions race to change two shifts, each holding its version a random while before committing,
    and a phone pulls all along: its replica must end equal to a fresh snapshot, the last write of each shift."""
    if app.state.settings.is_sqlite:
        pytest.skip("SQLite has one writer at a time: there is no race to lose")
    headers = signed.auth("coordinator")
    first = await pull_all(client, headers)
    replica, cursor = apply({}, first["changes"]), first["cursor"]
    engine = make_engine(app.state.settings)
    sessions = make_sessionmaker(engine)
    shifts = [signed.shift_today.id, signed.shift_tomorrow.id]
    pauses = random.Random(3)
    last_commit: dict[str, str] = {}
    writing = True

    async def writer(i: int) -> None:
        async with sessions() as session:
            await asyncio.sleep(pauses.random() * 0.05)
            shift = await session.get(Shift, shifts[i % 2])
            shift.notes = f"write {i}"
            await session.flush()  # takes a version: the clock row stays locked until commit
            await asyncio.sleep(pauses.random() * 0.05)
            await session.commit()
            last_commit[str(shift.id)] = shift.notes

    async def phone() -> None:
        nonlocal cursor
        while writing:
            page = await pull_all(client, headers, cursor)
            apply(replica, page["changes"])
            cursor = page["cursor"]
            await asyncio.sleep(0.01)

    pulling = asyncio.create_task(phone())
    try:
        await asyncio.gather(*(writer(i) for i in range(20)))
    finally:
        writing = False
        await pulling
        await engine.dispose()
    apply(replica, (await pull_all(client, headers, cursor))["changes"])
    assert replica == apply({}, (await pull_all(client, headers))["changes"])
    assert {i: replica[("shift", i)]["notes"] for i in last_commit} == last_commit
