"""How long the server needs per arrival at the accreditation desk, on SQLite and PostgreSQL.

Each arrival is one POST /api/checkins with the officer's signed QR code, through the whole application
(auth, JSON, signature check, revocation look-up, the counted-once UPDATE, the check-in row, commit), called
as ASGI on the benchmark's own event loop: no network and no test-client thread, so the figures are server
time. Also timed: the signature check alone, a desk's
second scan, and a check-in that also makes the phone's enrollment code. Bounded: ARRIVALS per database.

    make bench-checkin            # LIAISON_BENCH_POSTGRES=postgresql+asyncpg://... to choose the server
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from litestar import Litestar
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from liaison.app import create_app
from liaison.auth.secrets import hash_password
from liaison.checkin.keys import keyring
from liaison.checkin.tokens import sign, validity, verify
from liaison.database import make_engine
from liaison.migrate import upgrade
from liaison.officers.models import Country, User
from liaison.settings import Settings

ARRIVALS = int(os.environ.get("LIAISON_BENCH_ARRIVALS", "300"))
PG_ADMIN = os.environ.get("LIAISON_BENCH_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-desk-password"


def _in_thread(fn, *args) -> None:  # type: ignore[no-untyped-def]
    """Alembic runs its own event loop."""
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _catch(errors, fn, *args))
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _catch(errors: list[BaseException], fn, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        fn(*args)
    except BaseException as exc:
        errors.append(exc)


async def _seed(settings: Settings, count: int) -> list[uuid.UUID]:
    engine = make_engine(settings)
    today = datetime.now(UTC).date()
    officers = [uuid.uuid4() for _ in range(count)]
    async with engine.begin() as conn:
        await conn.execute(insert(Country), [{"code": "DE", "languages": ["de"]}])
        rows = [
            {
                "id": officer_id,
                "role": "officer",
                "first_name": f"Officer{i}",
                "last_name": "Bench",
                "country_code": "DE",
                "locale": "de",
                "languages": ["de"],
                "accreditation_id": f"P24-DE-{i + 1:05d}",
                "status": "expected",
                "arrival": today,
                "departure": today + timedelta(days=14),
                "version": 0,
                "created_at": datetime.now(UTC),
                "updated_at": datetime.now(UTC),
            }
            for i, officer_id in enumerate(officers)
        ]
        # A separate statement: executemany takes its columns from the first row.
        desk = [
            {
                **rows[0],
                "id": uuid.uuid4(),
                "role": "desk",
                "email": "desk@bench.liaison",
                "password_hash": hash_password(PASSWORD),
                "accreditation_id": None,
                "country_code": None,
                "locale": "fr",
                "status": "arrived",
            }
        ]
        await conn.execute(insert(User), rows)
        await conn.execute(insert(User), desk)
    await engine.dispose()
    return officers


def _tokens(settings: Settings, officers: list[uuid.UUID]) -> list[str]:
    """What each officer's phone holds: the same token GET /api/me/accreditation hands out."""
    ring = keyring(settings.data_dir)
    now = datetime.now(UTC)
    not_before, expires_at = validity(now, date.today(), date.today() + timedelta(days=14))
    return [
        sign(
            ring,
            issuer=settings.base_url,
            accreditation_id=f"P24-DE-{i + 1:05d}",
            officer_id=officer_id,
            name=f"Officer{i} Bench",
            country="DE",
            role="officer",
            rank=None,
            generation=0,
            now=now,
            not_before=not_before,
            expires_at=expires_at,
        )[0]
        for i, officer_id in enumerate(officers)
    ]


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "mean": statistics.fmean(ordered) * 1000,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p95": ordered[int(len(ordered) * 0.95) - 1] * 1000,
    }


class _Lifespan:
    """Runs the app's ASGI lifespan (engine, session maker) around the measurements."""

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()

    async def __aenter__(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))  # type: ignore[arg-type]
        await self.inbox.put({"type": "lifespan.startup"})
        assert (await self.outbox.get())["type"] == "lifespan.startup.complete"

    async def __aexit__(self, *_: object) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.outbox.get()
        await self.task


CPU: dict[str, float] = {}


async def _scan(client: httpx.AsyncClient, auth: dict[str, str], token: str, enroll: bool, kind: str = "") -> float:
    start, cpu = time.perf_counter(), time.process_time()
    response = await client.post("/api/checkins", json={"token": token, "enroll": enroll}, headers=auth)
    took = time.perf_counter() - start
    # CPU of this process (the app and SQLite's thread; not the PostgreSQL server): steadier than wall time
    # on a busy machine.
    CPU[kind] = CPU.get(kind, 0.0) + time.process_time() - cpu
    assert response.status_code == 200, response.text
    return took


async def _run(settings: Settings) -> dict[str, dict[str, float]]:
    officers = await _seed(settings, 2 * ARRIVALS)
    tokens = _tokens(settings, officers)
    ring = keyring(settings.data_dir)
    now = datetime.now(UTC)
    verify_took = []
    for token in tokens:
        start = time.perf_counter()
        verify(ring, token, issuer=settings.base_url, at=now, now=now)
        verify_took.append(time.perf_counter() - start)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with _Lifespan(app), httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        login = await client.post("/api/auth/login", json={"email": "desk@bench.liaison", "password": PASSWORD})
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for token in tokens[:5]:  # warm-up: caches, pools, key ring
            await _scan(client, auth, token, enroll=False)
        first, again, with_enrollment = [], [], []
        CPU.clear()
        # Interleaved, so that a change in the machine's load hits the three kinds of scan alike.
        for i in range(5, ARRIVALS):
            first.append(await _scan(client, auth, tokens[i], enroll=False, kind="check-in"))
            again.append(await _scan(client, auth, tokens[i], enroll=False, kind="second scan"))
            with_enrollment.append(await _scan(client, auth, tokens[ARRIVALS + i], enroll=True, kind="enroll"))
    arrivals = ARRIVALS - 5
    return {
        "cpu": {k: v / arrivals * 1000 for k, v in CPU.items()},
        "verify only": _ms(verify_took),
        "check-in": _ms(first),
        "second scan": _ms(again),
        "check-in + enrollment code": _ms(with_enrollment),
    }


async def _pg_database() -> str | None:
    name = f"liaison_bench_checkin_{uuid.uuid4().hex[:8]}"
    engine = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL not reachable at {PG_ADMIN}: {type(exc).__name__}; SQLite only")
        return None
    finally:
        await engine.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


async def _drop(url: str) -> None:
    engine = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    await engine.dispose()


def _print(name: str, figures: dict[str, dict[str, float]]) -> None:
    print(f"\n{name}: {ARRIVALS - 5} arrivals through POST /api/checkins (server time, ms)")
    for label, f in figures.items():
        if label == "cpu":
            continue
        print(f"  {label:<28} mean {f['mean']:7.3f}   p50 {f['p50']:7.3f}   p95 {f['p95']:7.3f}")
    check = figures["check-in"]["mean"]
    print(f"  signature check / check-in        {figures['verify only']['mean'] / check:6.1%}")
    print(f"  second scan / check-in            {figures['second scan']['mean'] / check:6.2f}x")
    print(f"  with enrollment / check-in        {figures['check-in + enrollment code']['mean'] / check:6.2f}x")
    print(f"  arrivals one desk process serves  {1000 / check:6.0f} per second")
    cpu = figures["cpu"]
    print(
        f"  CPU ms in the app per request     check-in {cpu['check-in']:.2f}, second scan {cpu['second scan']:.2f},"
        f" with enrollment {cpu['enroll']:.2f}"
    )


def main() -> None:
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="liaison-bench-checkin-") as tmp:
        base = Path(tmp)
        sqlite = Settings(
            database_url=f"sqlite+aiosqlite:///{base / 'bench.db'}",
            data_dir=base / "keys",
            static_dir=base / "no-pwa",
            run_worker=False,
            log_level="WARNING",
        )
        _in_thread(upgrade, sqlite.database_url)
        results["SQLite"] = asyncio.run(_run(sqlite))
        _print("SQLite", results["SQLite"])
        pg_url = asyncio.run(_pg_database())
        if pg_url:
            try:
                pg = Settings(
                    database_url=pg_url,
                    data_dir=base / "keys",
                    static_dir=base / "no-pwa",
                    run_worker=False,
                    log_level="WARNING",
                )
                _in_thread(upgrade, pg_url)
                results["PostgreSQL"] = asyncio.run(_run(pg))
                _print("PostgreSQL", results["PostgreSQL"])
            finally:
                asyncio.run(_drop(pg_url))
    if len(results) == 2:
        ratio = results["PostgreSQL"]["check-in"]["mean"] / results["SQLite"]["check-in"]["mean"]
        print(f"\nPostgreSQL / SQLite per check-in: {ratio:.2f}x")


if __name__ == "__main__":
    main()
