"""Officers' first pulls served in batches (a mass reconnect) give exactly what one pull alone gives."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import msgspec
from sqlalchemy import select, update

from liaison.auth.models import Device
from liaison.auth.principal import Principal
from liaison.auth.secrets import digest
from liaison.database import make_engine, make_sessionmaker, utcnow
from liaison.demo.seed import seed_demo
from liaison.officers.models import User
from liaison.shifts.models import Assignment
from liaison.sync.pull import pull
from liaison.sync.snapshots import FirstPulls, snapshot_page
from tests.factories import enroll, login
from tests.sync_helpers import pull_all


def _principal(user: User) -> Principal:
    return Principal(
        user_id=user.id, device_id=uuid.uuid4(), role=user.role, country=user.country_code, locale=user.locale, name=""
    )


def _json(value: object) -> object:
    return msgspec.json.decode(msgspec.json.encode(value))


async def test_a_batch_of_first_pulls_equals_each_officer_pulling_alone(app, client):
    """The whole demo (2,185 officers in nine languages and their 46 delegation leads, check-ins and
    acknowledgements among them): every batched snapshot is, change for change, the caller's unbatched pull."""
    engine = make_engine(app.state.settings)
    sessions = make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
    async with make_sessionmaker(engine)() as session:
        await seed_demo(session)
        # Some officers have checked in and out at a shift (times with and without fractions of a second).
        now = utcnow().replace(microsecond=0)
        first = (await session.execute(select(Assignment).order_by(Assignment.id).limit(3))).scalars().all()
        first[0].status, first[0].checked_in_at = "checked_in", now
        first[1].status, first[1].checked_in_at = "checked_out", now - timedelta(hours=8, microseconds=250_000)
        first[1].checked_out_at = now - timedelta(microseconds=7)
        await session.commit()
        people = select(User).where(User.role.in_(("officer", "delegation_lead"))).order_by(User.id)
        principals = [_principal(user) for user in (await session.execute(people)).scalars()]
    assert len(principals) > 2000 and sum(p.role == "delegation_lead" for p in principals) == 46
    assert len({p.locale for p in principals}) >= 9
    try:
        first_pulls = FirstPulls(sessions)
        limit = 100_000  # one page each: the pages of a long pass are compared by the test below
        batched = await asyncio.gather(*(first_pulls.page(p, limit) for p in principals))
        assert first_pulls._batches.batches < len(principals) / 50  # served together, not one by one
        for principal, (out, clock) in zip(principals, batched, strict=True):
            async with sessions() as session:
                alone, alone_clock = await pull(session, principal, None, limit)
            assert clock == alone_clock
            assert _json(out) == _json(alone), principal
        counted = {c.entity for out, _ in batched for c in out.changes}
        assert {"assignment", "shift", "venue", "notice", "briefing", "alert_level", "me", "officer"} <= counted
        times = {c.data["checked_in_at"] for out, _ in batched for c in out.changes if c.entity == "assignment"}
        assert len(times) == 3  # None and the two check-ins above, written alike on both databases
    finally:
        await engine.dispose()


async def test_a_big_first_pull_is_paged_and_continues_the_usual_way(app, client):
    engine = make_engine(app.state.settings)
    async with make_sessionmaker(engine)() as session:
        await seed_demo(session)
        officer = (await session.execute(select(User).where(User.role == "officer").limit(1))).scalar_one()
    await engine.dispose()
    desk = await login(client, "desk@demo.liaison", "liaison-demo")
    phone = {"Authorization": f"Bearer {await enroll(client, desk, officer.id)}"}
    whole = await pull_all(client, phone)
    assert whole["pages"] == 1
    paged = []
    response = await client.get("/api/sync", params={"limit": 7}, headers=phone)
    body = response.json()
    assert body["more"] is True and len(body["changes"]) == 7
    paged.extend(body["changes"])
    rest = await pull_all(client, phone, body["cursor"])
    paged.extend(rest["changes"])
    assert paged == whole["changes"]
    assert rest["cursor"] == whole["cursor"]


def test_the_snapshot_page_cuts_where_pull_would_and_says_so():
    principal = Principal(
        user_id=uuid.uuid4(), device_id=uuid.uuid4(), role="officer", country="DE", locale="de", name="A"
    )
    from liaison.sync.cursor import decode
    from liaison.sync.registry import SyncChange

    changes = [SyncChange(entity="venue", id=f"v{i}", op="upsert", data={}, version=i) for i in range(5)]
    whole = snapshot_page(principal, (changes, 9), 5)
    assert not whole.more and decode(whole.cursor).after == 9 and decode(whole.cursor).complete
    cut = snapshot_page(principal, (changes, 9), 3)
    assert cut.more and cut.changes == changes[:3]
    cursor = decode(cut.cursor)
    assert (cursor.after, cursor.upto, cursor.entity, cursor.key) == (0, 9, "venue", (2, "v2"))


async def test_a_revoked_deleted_or_unknown_sign_in_is_refused_among_good_ones(client, signed, db):
    """Sign-ins are checked in batches too: a bad token among good ones fails alone, the others go through."""
    second_phone = await enroll(client, signed.tokens["desk"], signed.officer_de2.id)
    revoked_phone = await enroll(client, signed.tokens["desk"], signed.officer_de2.id)
    await db.execute(update(User).where(User.id == signed.officer_it.id).values(deleted_at=utcnow()))
    await db.execute(update(Device).where(Device.token_hash == digest(revoked_phone)).values(revoked_at=utcnow()))
    await db.commit()
    tokens = [signed.tokens["officer_de"], second_phone, signed.tokens["officer_it"], revoked_phone, "lsn_unknown"]
    answers = await asyncio.gather(
        *(client.get("/api/sync", headers={"Authorization": f"Bearer {token}"}) for token in tokens)
    )
    assert [r.status_code for r in answers] == [200, 200, 401, 401, 401]
    assert answers[2].headers["content-type"].startswith("application/problem+json")


async def test_a_leads_long_first_pull_pages_from_memory_exactly_as_from_the_database(app, client):
    """A delegation lead's contingent spans several pages: served from the kept pass, or (as another worker
    would) read from the database, the pages hold the same changes and end at the same cursor."""
    engine = make_engine(app.state.settings)
    async with make_sessionmaker(engine)() as session:
        await seed_demo(session)
    await engine.dispose()
    lead = {"Authorization": f"Bearer {await login(client, 'lead.de@demo.liaison', 'liaison-demo')}"}

    async def paged(drop_kept: bool) -> tuple[list[dict], str, int]:
        changes, cursor, pages = [], None, 0
        while True:
            params = {"limit": 150, **({"cursor": cursor} if cursor else {})}
            if drop_kept:
                app.state.first_pulls._kept = type(app.state.first_pulls._kept)(0)  # holds nothing
            body = (await client.get("/api/sync", params=params, headers=lead)).json()
            changes.extend(body["changes"])
            cursor, pages = body["cursor"], pages + 1
            if not body["more"]:
                return changes, cursor, pages

    from_memory, cursor, pages = await paged(drop_kept=False)
    from_database, cursor_again, _ = await paged(drop_kept=True)
    assert pages > 3
    assert from_memory == from_database and cursor == cursor_again
    kinds = {c["entity"] for c in from_memory}
    assert {"officer", "assignment", "shift"} <= kinds
    assert {c["data"]["country"] for c in from_memory if c["entity"] == "officer"} == {"DE"}
