"""Sync benchmark: unchanged polls (304) against a bare JSON route, and cold full snapshots after a mass reconnect.

    python -m bench.sync [--no-postgres] [--no-sqlite] [--officers 80000] [--seconds 5] [--concurrency 64]
                         [--workers N]

For each database (a temporary SQLite file and a temporary PostgreSQL database) it seeds
the demo (2,185 officers, two weeks of shifts), gives every officer an enrolled phone, starts the real
server (uvicorn, --workers processes, default one) on 127.0.0.1 and measures, with an aiohttp keep-alive client:
 (a) requests/s of GET /bench/hello (bare JSON, no auth) and of unchanged sync polls answered 304
     (If-None-Match, signed in) in the same run, and their ratio (target >= 0.7);
 (b) cold full snapshots/s — every officer's phone pulls everything from no cursor (following `more`), the
     server having just started (token cache and sync memo empty): p50/p99 per snapshot; then the same
     with --officers in all (default 80,000, generated with Core bulk inserts), target: all of them in <= 60 s.
     The officers beyond the demo's are the host's own force (police, gendarmes, soldiers, private security:
     country FR, reading French, no delegation lead over them), as the daily force of the Games was;
     `--extra-in delegations` spreads them over the 46 foreign delegations instead, so that each delegation
     lead's phone then syncs some 1,700 officers and 17,000 assignments.
Traffic goes only to 127.0.0.1; every phase is bounded in requests and in time. Each line ends with the machine's
load average (1 min) before and after the phase: the client, the server and the database share its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

import liaison.models  # noqa: F401  (every table)
from liaison.auth.models import Device
from liaison.auth.secrets import digest
from liaison.database import make_engine, make_sessionmaker
from liaison.demo.seed import seed_demo, stable_id
from liaison.notices.models import Notice, NoticeRecipient
from liaison.officers.models import Country, User
from liaison.settings import Settings
from liaison.shifts.models import Assignment, Shift
from liaison.sync.versioning import transaction_version

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("LIAISON_BENCH_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
PARIS = ZoneInfo("Europe/Paris")
CHUNK = 20_000
OFFICER_ROLES = ("officer", "delegation_lead")  # a delegation lead is an officer of its country too


@dataclass
class Phone:
    user_id: uuid.UUID
    token: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- data


async def seed(url: str) -> None:
    engine = make_engine(Settings(database_url=url))
    async with make_sessionmaker(engine)() as session:
        await seed_demo(session)
    await engine.dispose()


HOST = "FR"


async def add_officers(session: AsyncSession, total: int, extra_in: str = "host") -> int:
    """Officers beyond the demo's, each on one venue/slot team for two weeks (five days in seven): of the host
    force (`extra_in="host"`), or spread over the foreign delegations (`"delegations"`)."""
    existing = (
        await session.execute(select(func.count()).select_from(User).where(User.role == "officer"))
    ).scalar_one()
    extra = total - existing - 46  # the demo's 46 delegation leads are officers too
    if extra <= 0:
        return 0
    version = await transaction_version(session)
    shifts = (await session.execute(select(Shift.id, Shift.venue_id, Shift.starts_at).order_by(Shift.starts_at))).all()
    teams: dict[tuple[uuid.UUID, int], list[uuid.UUID]] = {}
    for shift_id, venue_id, starts_at in shifts:
        teams.setdefault((venue_id, starts_at.astimezone(PARIS).hour), []).append(shift_id)
    team_list = list(teams.values())
    if extra_in == "host":
        if not (await session.execute(text("SELECT 1 FROM countries WHERE code = :c"), {"c": HOST})).first():
            await session.execute(insert(Country.__table__), [{"code": HOST, "languages": ["fr"]}])
        countries = [HOST]
    else:
        countries = [c for (c,) in (await session.execute(text("SELECT code FROM countries ORDER BY code"))).all()]
    language = "fr" if extra_in == "host" else "en"
    users, assignments = [], []
    for i in range(extra):
        user_id = stable_id("bench-officer", i)
        country = countries[i % len(countries)]
        users.append(
            {
                "id": user_id,
                "role": "officer",
                "first_name": f"Officer{i}",
                "last_name": "Bench",
                "country_code": country,
                "locale": language,
                "languages": [language],
                "accreditation_id": f"BENCH-{i:06d}",
                "status": "arrived",
                "version": version,
            }
        )
        for day, shift_id in enumerate(team_list[i % len(team_list)]):
            if (day + i) % 7 not in (0, 1):
                assignments.append(
                    {
                        "id": stable_id("bench-assignment", i, day),
                        "shift_id": shift_id,
                        "user_id": user_id,
                        "status": "assigned",
                        "version": version,
                    }
                )
    # Every broadcast to all that the demo sent reaches them too, as it would have on the day.
    broadcasts = [
        n
        for (n,) in (
            await session.execute(
                select(Notice.id).where(Notice.audience["all"].as_boolean(), Notice.superseded_at.is_(None))
            )
        ).all()
    ]
    recipients = [
        {"notice_id": notice_id, "user_id": u["id"], "country_code": u["country_code"], "version": version}
        for notice_id in broadcasts
        for u in users
    ]
    tables = ((users, User.__table__), (assignments, Assignment.__table__), (recipients, NoticeRecipient.__table__))
    for rows, table in tables:
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(table), rows[start : start + CHUNK])
    await session.commit()
    return extra


async def enroll_phones(session: AsyncSession, token_prefix: str) -> list[Phone]:
    """An enrolled phone per officer, seen recently (the reconnect follows a network outage, not a first start)."""
    ids = [
        r[0]
        for r in (
            await session.execute(select(User.id).where(User.role.in_(OFFICER_ROLES)).order_by(User.accreditation_id))
        ).all()
    ]
    now = datetime.now(UTC)
    phones = [Phone(user_id, f"{token_prefix}-{i}-{uuid.uuid4().hex}") for i, user_id in enumerate(ids)]
    rows = [
        {
            "id": uuid.uuid4(),
            "user_id": p.user_id,
            "name": "Bench phone",
            "kind": "enrolled",
            "token_hash": digest(p.token),
            "created_at": now,
            "expires_at": now + timedelta(days=30),
            "last_seen_at": now,
        }
        for p in phones
    ]
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(Device.__table__), rows[start : start + CHUNK])
    await session.commit()
    return phones


async def prepare(
    url: str, officers: int | None, token_prefix: str, extra_in: str = "host"
) -> tuple[list[Phone], float]:
    started = time.perf_counter()
    engine = make_engine(Settings(database_url=url))
    async with make_sessionmaker(engine)() as session:
        if officers:
            await add_officers(session, officers, extra_in)
        await session.execute(text("DELETE FROM devices"))
        await session.commit()
        phones = await enroll_phones(session, token_prefix)
    await engine.dispose()
    await settle(url)
    return phones, time.perf_counter() - started


async def settle(url: str) -> None:
    """A database that has been running for days has its statistics and visibility maps up to date: vacuum and
    analyze after the bulk load, so the first reads measure the queries, not PostgreSQL catching up."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
    await engine.dispose()


# ---------------------------------------------------------------- server


class Server:
    def __init__(self, url: str, workdir: Path, workers: int = 1) -> None:
        self.url, self.workdir, self.workers = url, workdir, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    async def __aenter__(self) -> Server:
        env = {
            **os.environ,
            "LIAISON_DATABASE_URL": self.url,
            "LIAISON_HOST": "127.0.0.1",
            "LIAISON_PORT": str(self.port),
            "LIAISON_RUN_WORKER": "0",
            "LIAISON_LOG_LEVEL": "WARNING",
            "LIAISON_DATA_DIR": str(self.workdir / "data"),
            "LIAISON_STATIC_DIR": str(self.workdir / "no-pwa"),
            "PYTHONPATH": f"{ROOT / 'backend'}:{ROOT}",
        }
        command = [sys.executable, "-m", "uvicorn", "bench.sync_app:app", "--factory", "--host", "127.0.0.1"]
        command += [
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        # Started once per phase and left to run concurrently with the load client: Popen returns at once.
        self.proc = subprocess.Popen(  # noqa: ASYNC220
            command,
            cwd=ROOT,
            env=env,
        )
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"{self.base}/health") as response:
                        if response.status == 200:
                            await asyncio.sleep(1.0 if self.workers > 1 else 0)  # every worker up, not just one
                            return self
                except aiohttp.ClientError:
                    pass
                if self.proc.poll() is not None:
                    raise RuntimeError("the server exited at start")
                await asyncio.sleep(0.1)
        raise RuntimeError("the server did not answer /health in 30 s")

    async def __aexit__(self, *_: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- load


async def load(
    concurrency: int, seconds: float, max_requests: int, one: Callable[[aiohttp.ClientSession, int], Awaitable[None]]
) -> tuple[int, float, list[float]]:
    """Run `one(http, n)` from `concurrency` workers until `seconds` or `max_requests`: (count, elapsed, latencies)."""
    latencies: list[float] = []
    counter = iter(range(max_requests))
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            for n in counter:
                if time.perf_counter() > deadline:
                    return
                t0 = time.perf_counter()
                await one(http, n)
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return len(latencies), elapsed, latencies


TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> list[tuple[int, int, float, str]]:
    """(pid, parent pid, CPU seconds used, command line) of every process this user may read."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found.append((int(entry.name), int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, cmdline))
    return found


class CpuMeter:
    """CPU seconds spent by the server processes, the database's backends for the bench database (PostgreSQL)
    and this client during a phase: what one snapshot costs, whatever else the machine's cores are doing."""

    def __init__(self, server_pid: int, database: str | None) -> None:
        self.server_pid, self.database = server_pid, database

    def _read(self) -> dict[str, float]:
        procs = _processes()
        tree, changed = {self.server_pid}, True
        while changed:
            grown = tree | {pid for pid, parent, _, _ in procs if parent in tree}
            changed, tree = grown != tree, grown
        server = sum(cpu for pid, _, cpu, _ in procs if pid in tree)
        db = sum(
            cpu for _, _, cpu, cmd in procs if self.database and cmd.startswith("postgres:") and self.database in cmd
        )
        return {"server": server, "database": db, "client": time.process_time()}

    def __enter__(self) -> CpuMeter:
        self.start = self._read()
        return self

    def __exit__(self, *_: object) -> None:
        end = self._read()
        self.used = {k: end[k] - self.start[k] for k in end}


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def bench_polls(server: Server, phones: list[Phone], seconds: float, concurrency: int) -> dict[str, float]:
    hello_url, sync_url = f"{server.base}/bench/hello", f"{server.base}/api/sync"

    async def hello(http: aiohttp.ClientSession, _: int) -> None:
        async with http.get(hello_url) as r:
            await r.read()
            assert r.status == 200

    # Warm: each polling phone has pulled everything once and holds its cursor and ETag.
    pollers = phones[:500]
    states: list[tuple[dict[str, str], dict[str, str]]] = []
    async with aiohttp.ClientSession() as http:
        for phone in pollers:
            auth = {"Authorization": f"Bearer {phone.token}"}
            cursor = None
            while True:
                async with http.get(sync_url, params={"cursor": cursor} if cursor else {}, headers=auth) as r:
                    body = await r.json()
                    etag = r.headers["ETag"]
                cursor = body["cursor"]
                if not body["more"]:
                    break
            states.append(({"cursor": cursor}, {**auth, "If-None-Match": etag}))
    statuses: dict[int, int] = {}

    async def poll(http: aiohttp.ClientSession, n: int) -> None:
        params, headers = states[n % len(states)]
        async with http.get(sync_url, params=params, headers=headers) as r:
            await r.read()
            statuses[r.status] = statuses.get(r.status, 0) + 1

    bound = 2_000_000
    await load(concurrency, 1.0, bound, hello)  # warm-up of both paths
    # Every poller's sign-in cached by every worker process (each has its own token cache) before measuring.
    await load(concurrency, 15.0, len(states) * server.workers * 4, poll)
    database = server.url.rsplit("/", 1)[-1] if server.url.startswith("postgresql") else None
    assert server.proc is not None
    with CpuMeter(server.proc.pid, database) as hello_cpu:
        hello_n, hello_s, _ = await load(concurrency, seconds, bound, hello)
    statuses.clear()
    with CpuMeter(server.proc.pid, database) as poll_cpu:
        poll_n, poll_s, poll_lat = await load(concurrency, seconds, bound, poll)
    if set(statuses) != {304}:
        raise RuntimeError(f"unchanged polls were not all 304: {statuses}")
    hello_rate, poll_rate = hello_n / hello_s, poll_n / poll_s
    return {
        "hello_rps": hello_rate,
        "poll_rps": poll_rate,
        "ratio": poll_rate / hello_rate,
        "poll_p50_ms": pct(poll_lat, 0.5),
        "poll_p99_ms": pct(poll_lat, 0.99),
        "hello_cpu_ms": hello_cpu.used["server"] * 1000 / max(hello_n, 1),
        "poll_cpu_ms": (poll_cpu.used["server"] + poll_cpu.used["database"]) * 1000 / max(poll_n, 1),
    }


async def bench_snapshots(server: Server, phones: list[Phone], concurrency: int, budget: float) -> dict[str, float]:
    sync_url = f"{server.base}/api/sync"
    changes = [0]

    async def snapshot(http: aiohttp.ClientSession, n: int) -> None:
        headers = {"Authorization": f"Bearer {phones[n].token}"}
        cursor = None
        while True:
            async with http.get(sync_url, params={"cursor": cursor} if cursor else {}, headers=headers) as r:
                if r.status != 200:
                    raise RuntimeError(f"snapshot failed: {r.status} {await r.text()}")
                body = await r.json(loads=_loads)
            changes[0] += len(body["changes"])
            cursor = body["cursor"]
            if not body["more"]:
                return

    database = server.url.rsplit("/", 1)[-1] if server.url.startswith("postgresql") else None
    assert server.proc is not None
    with CpuMeter(server.proc.pid, database) as cpu:
        done, elapsed, latencies = await load(concurrency, budget, len(phones), snapshot)
    rate = done / elapsed
    return {
        "phones": len(phones),
        "done": done,
        "seconds": elapsed,
        "per_second": rate,
        "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99),
        "changes_per_snapshot": changes[0] / max(done, 1),
        "all_in_seconds": len(phones) / rate,
        **{f"cpu_{k}_ms": v * 1000 / max(done, 1) for k, v in cpu.used.items()},
    }


def _loads(raw: str) -> Any:
    import msgspec

    return msgspec.json.decode(raw)


# ---------------------------------------------------------------- run


async def pg_database() -> tuple[str, Callable[[], Awaitable[None]]]:
    name = f"liaison_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()

    async def drop() -> None:
        engine = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop


def migrate(url: str) -> None:
    # Alembic's env runs its own event loop: keep it off this one.
    subprocess.run(
        [sys.executable, "-c", f"from liaison.migrate import upgrade; upgrade({url!r})"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'backend'}:{ROOT}"},
    )


async def run_one(label: str, url: str, workdir: Path, args: argparse.Namespace) -> None:
    print(f"\n== {label} ==", flush=True)
    workers = args.workers
    migrate(url)
    started = time.perf_counter()
    await seed(url)
    phones, _ = await prepare(url, None, "demo")
    print(f"demo seeded, {len(phones)} officer phones enrolled in {time.perf_counter() - started:.1f} s", flush=True)
    before = load_average()
    async with Server(url, workdir, workers) as server:
        polls = await bench_polls(server, phones, args.seconds, args.concurrency)
    print(
        f"(a) bare JSON route {polls['hello_rps']:,.0f} req/s"
        f" | unchanged sync poll (304) {polls['poll_rps']:,.0f} req/s"
        f" (p50 {polls['poll_p50_ms']:.1f} ms, p99 {polls['poll_p99_ms']:.1f} ms)"
        f" | ratio {polls['ratio']:.2f} (target >= 0.70) {'OK' if polls['ratio'] >= 0.7 else 'MISSED'}"
        f" | load {before} -> {load_average()}",
        flush=True,
    )
    print(
        f"    server CPU per request: bare route {polls['hello_cpu_ms']:.2f} ms,"
        f" unchanged poll {polls['poll_cpu_ms']:.2f} ms (with the database's)",
        flush=True,
    )
    if args.polls_only:
        return
    before = load_average()
    async with Server(url, workdir, workers) as server:  # a fresh process: nothing cached
        snap = await bench_snapshots(server, phones, args.concurrency, args.budget)
    _print_snapshots(f"{len(phones):,} demo officers", snap, before)
    served = snap["cpu_server_ms"] + snap["cpu_database_ms"]
    print(
        f"    one cold snapshot costs the CPU of {served / polls['hello_cpu_ms']:.0f} bare-route requests", flush=True
    )
    if args.officers:
        phones, seconds = await prepare(url, args.officers, "large", args.extra_in)
        where = "the host force" if args.extra_in == "host" else "the foreign delegations"
        print(
            f"{len(phones):,} officers with two weeks of shifts (those beyond the demo's in {where})"
            f" generated and enrolled in {seconds:.1f} s",
            flush=True,
        )
        before = load_average()
        async with Server(url, workdir, workers) as server:
            snap = await bench_snapshots(server, phones, args.concurrency, args.budget)
        _print_snapshots(f"{len(phones):,} officers", snap, before)


TARGET_PHONES, TARGET_SECONDS = 80_000, 60.0  # a mass reconnect of 80,000 phones served within a minute


def _print_snapshots(label: str, s: dict[str, float], load_before: str) -> None:
    needed = TARGET_PHONES / s["per_second"]
    verdict = "OK" if needed <= TARGET_SECONDS else "MISSED"
    partial = "" if s["done"] == s["phones"] else f" (time budget: {s['done']:,.0f} of {s['phones']:,.0f} done)"
    print(
        f"(b) cold full snapshots, {label}: {s['per_second']:,.0f}/s,"
        f" p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms,"
        f" {s['changes_per_snapshot']:.0f} changes each{partial} -> {TARGET_PHONES:,} phones at this rate:"
        f" {needed:,.0f} s (target <= {TARGET_SECONDS:.0f} s, >= {TARGET_PHONES / TARGET_SECONDS:,.0f}/s) {verdict}"
        f" | ratio to target {s['per_second'] / (TARGET_PHONES / TARGET_SECONDS):.2f}"
        f" | load {load_before} -> {load_average()}",
        flush=True,
    )
    cores = os.cpu_count() or 1
    served = s["cpu_server_ms"] + s["cpu_database_ms"]
    print(
        f"    CPU per snapshot: server {s['cpu_server_ms']:.2f} ms, database {s['cpu_database_ms']:.2f} ms,"
        f" load client {s['cpu_client_ms']:.2f} ms; {cores} idle cores would do at most"
        f" {cores * 1000 / (served + s['cpu_client_ms']):,.0f}/s with this client on them,"
        f" {cores * 1000 / served:,.0f}/s without it (CPU-bound estimate from the figures above)",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run on a temporary PostgreSQL database (LIAISON_BENCH_POSTGRES; skipped when unreachable)",
    )
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite")
    parser.add_argument("--officers", type=int, default=80_000, help="officers in the large run (0: skip it)")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each poll measurement")
    parser.add_argument("--budget", type=float, default=120.0, help="time limit of each snapshot run, seconds")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1, help="server processes (uvicorn --workers)")
    parser.add_argument("--polls-only", action="store_true", help="measure (a) only")
    parser.add_argument(
        "--extra-in",
        choices=("host", "delegations"),
        default="host",
        help="whose officers those beyond the demo's are (default: the host force, without delegation leads)",
    )
    args = parser.parse_args()
    print(
        f"sync benchmark, {os.cpu_count()} CPUs, {args.workers} server process(es),"
        f" {args.concurrency} concurrent connections, load average {load_average()}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="liaison-bench-sync-"))
    try:
        if args.sqlite:
            await run_one("SQLite", f"sqlite+aiosqlite:///{workdir / 'bench.db'}", workdir, args)
        if args.postgres:
            try:
                url, drop = await pg_database()
            except (OSError, SQLAlchemyError) as exc:
                print(f"\n== PostgreSQL == skipped: not reachable at {PG_ADMIN} ({exc})")
                return
            try:
                await run_one("PostgreSQL", url, workdir, args)
            finally:
                await drop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
