"""How long a broadcast to 80,000 officers takes, and why the audience is resolved inside the database.

Builds a throwaway PostgreSQL database on 127.0.0.1 (LIAISON_BENCH_POSTGRES, default the local server) with
80,000 officers in 46 countries, then measures in one run:
  - writing the recipient rows with one INSERT … SELECT (what Liaison does) against reading the audience into
    Python and bulk-inserting it back (executemany), and prints the ratio;
  - a whole `send` (recipients, push job, audit entry, commit) to everyone;
  - the acknowledgements report (counts per country and venue, first 100 pending) with 30 % acknowledged;
  - 500 acknowledgements one after another (each its own transaction), per acknowledgement.
The database is dropped at the end. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import create_async_engine

from liaison.auth.principal import Principal
from liaison.database import make_engine, make_sessionmaker
from liaison.migrate import upgrade
from liaison.notices import acknowledgements, service
from liaison.notices.audience import RECIPIENT_ROLES, Audience, materialize
from liaison.notices.models import Notice, NoticeRecipient
from liaison.notices.schemas import AudienceIn, ContentIn, NoticeIn
from liaison.officers.models import Country, User
from liaison.settings import Settings
from liaison.sync.versioning import transaction_version

ADMIN_URL = os.environ.get("LIAISON_BENCH_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
OFFICERS = 80_000
COUNTRIES = [f"{a}{b}" for a in "ABCDEFGH" for b in "ABCDEF"][:46]
ACKS = 500


async def _admin(sql: str) -> None:
    engine = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


async def _populate(url: str) -> tuple[uuid.UUID, list[uuid.UUID]]:
    engine = make_engine(Settings(database_url=url))
    async with make_sessionmaker(engine)() as session:
        await session.execute(insert(Country.__table__), [{"code": c, "languages": ["en"]} for c in COUNTRIES])
        coordinator = uuid.uuid4()
        await session.execute(
            insert(User.__table__),
            [{"id": coordinator, "role": "coordinator", "first_name": "Isabelle", "last_name": "Durand"}],
        )
        ids = [uuid.uuid4() for _ in range(OFFICERS)]
        rows = [
            {
                "id": officer_id,
                "role": "officer",
                "first_name": f"Officer{i}",
                "last_name": f"N{i:05d}",
                "country_code": COUNTRIES[i % len(COUNTRIES)],
                "locale": "de",
            }
            for i, officer_id in enumerate(ids)
        ]
        for start in range(0, len(rows), 5000):
            await session.execute(insert(User.__table__), rows[start : start + 5000])
        await session.commit()
    await engine.dispose()
    return coordinator, ids


async def _python_roundtrip(session, notice_id: uuid.UUID) -> int:  # type: ignore[no-untyped-def]
    """The alternative: read the audience into Python, then bulk-insert it back."""
    version = await transaction_version(session)
    people = await session.execute(
        select(User.id, User.country_code).where(User.role.in_(RECIPIENT_ROLES), User.deleted_at.is_(None))
    )
    rows = [
        {"notice_id": notice_id, "user_id": uid, "country_code": code, "venue_id": None, "version": version}
        for uid, code in people.all()
    ]
    await session.execute(insert(NoticeRecipient.__table__), rows)
    return len(rows)


async def _measure(url: str) -> None:
    coordinator_id, officer_ids = await _populate(url)
    engine = make_engine(Settings(database_url=url))
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC)
    window = (now, now + timedelta(hours=24))

    timings: dict[str, float] = {}
    for label in ("insert-select", "python-roundtrip"):
        async with sessions() as session:
            notice_id = uuid.uuid4()
            await session.execute(
                insert(Notice.__table__),
                [{"id": notice_id, "kind": "notice", "audience": {}, "content": {}, "created_at": now}],
            )
            started = time.perf_counter()
            if label == "insert-select":
                count = await materialize(session, Audience(everyone=True, window=window), notice_id)
            else:
                count = await _python_roundtrip(session, notice_id)
            await session.commit()
            timings[label] = time.perf_counter() - started
            assert count == OFFICERS, count
            await session.execute(delete(NoticeRecipient).where(NoticeRecipient.notice_id == notice_id))
            await session.execute(delete(Notice).where(Notice.id == notice_id))
            await session.commit()

    coordinator = Principal(coordinator_id, uuid.uuid4(), "coordinator", None, "fr", "Isabelle Durand")
    data = NoticeIn(
        content={"en": ContentIn(title="Carry your accreditation"), "de": ContentIn(title="Akkreditierung mitführen")},
        audience=AudienceIn(all=True),
        priority="urgent",
        requires_ack=True,
    )
    async with sessions() as session:
        started = time.perf_counter()
        notice = await service.send(session, coordinator, "notice", data)
        send_seconds = time.perf_counter() - started

    async with sessions() as session:
        acked = officer_ids[: OFFICERS * 3 // 10]
        for start in range(0, len(acked), 5000):
            await session.execute(
                update(NoticeRecipient)
                .where(NoticeRecipient.notice_id == notice.id, NoticeRecipient.user_id.in_(acked[start : start + 5000]))
                .values(acknowledged_at=now)
            )
        await session.commit()
        started = time.perf_counter()
        report = await acknowledgements.report(session, coordinator, notice, limit=100, offset=0)
        report_seconds = time.perf_counter() - started
    assert report.audience == OFFICERS and report.acknowledged == len(acked)

    pending = officer_ids[len(acked) : len(acked) + ACKS]
    started = time.perf_counter()
    for officer_id in pending:
        officer = Principal(officer_id, uuid.uuid4(), "officer", None, "de", "")
        async with sessions() as session:
            await service.acknowledge(session, officer, "notice", notice.id)
            await session.commit()
    ack_seconds = (time.perf_counter() - started) / ACKS
    await engine.dispose()

    print(f"recipients written for {OFFICERS:,} officers (PostgreSQL):")
    print(f"  INSERT … SELECT          {timings['insert-select'] * 1000:8.0f} ms")
    print(f"  read + executemany       {timings['python-roundtrip'] * 1000:8.0f} ms")
    print(f"  ratio                    {timings['python-roundtrip'] / timings['insert-select']:8.1f} × faster in SQL")
    print(f"whole send to everyone     {send_seconds * 1000:8.0f} ms (recipients, push job, audit, commit)")
    print(f"acknowledgements report    {report_seconds * 1000:8.0f} ms (30 % acknowledged, 100 pending names)")
    print(f"one acknowledgement        {ack_seconds * 1000:8.1f} ms (mean of {ACKS}, each its own transaction)")


def main() -> None:
    name = f"liaison_bench_notices_{os.getpid()}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        asyncio.run(_measure(url))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
