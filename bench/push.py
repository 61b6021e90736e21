"""Benchmark: one alert-level change fanned out to 80,000 subscribed phones (make bench-push).

Everything runs on this machine: a stand-in push service on 127.0.0.1 (bench/push_receiver.py, its own
process: a bare asyncio protocol on uvloop, so that it takes as little as possible of the two cores the
sender is measured on) answers and counts every push, checks the VAPID JWT and decrypts a sample with the
subscribers' private keys. The worker runs as in production (`run_worker(once=True)`, on uvloop as `liaison
serve` and `liaison worker` are): fan-out into `push_deliveries` in pages, claim in batches, encrypt each
push (RFC 8291, fresh key per message) and send it over a keep-alive aiohttp session in the worker's sending
helpers (started before the clock, as a server has them from its start), record every answer. SQLite has its
one worker; on PostgreSQL `--pg-workers` processes share the work (SKIP LOCKED), as `liaison worker` does.
Our RFC 8291 encoder and pywebpush's are timed on the same messages, and the ratio printed.
The CPU seconds of the worker(s) and of the receiver are printed: the machine's other load shows there.
In the same run, two baselines against the same receiver:
a raw aiohttp POST loop of one pre-encrypted body (the ceiling for this machine) and pywebpush's one-call
`webpush()` sent sequentially (the naive way) on a sample. Bounded in count and time; 127.0.0.1 only.

    python -m bench.push [--count 80000] [--db sqlite,postgresql] [--pg-workers 1] [--helpers N] [--time-limit 600]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import uvloop
from aiohttp import ClientSession, ClientTimeout, TCPConnector
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.push_receiver import receiver_main

KEYS = 32  # receiver key pairs shared round-robin by the subscriptions (each push still gets a fresh sender key)
LOCALES = ("en", "fr", "de", "es", "it", "pl", "nl", "pt", "ar")
PG_ADMIN = os.environ.get("LIAISON_BENCH_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# ---- arranging 80,000 subscriptions --------------------------------------------------------------------
async def seed(url: str, count: int, receiver: str, public_keys: list[tuple[str, str]]) -> None:
    from liaison.auth.models import Device
    from liaison.officers.models import Country, User
    from liaison.push.models import PushSubscription

    engine = create_async_engine(url)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(insert(Country), [{"code": "FR", "languages": ["fr"]}])
        for start in range(0, count, 5000):
            n = range(start, min(count, start + 5000))
            users = [uuid.uuid4() for _ in n]
            devices = [uuid.uuid4() for _ in n]
            await conn.execute(
                insert(User),
                [
                    {
                        "id": u,
                        "role": "officer",
                        "first_name": "Officer",
                        "last_name": f"{i:06d}",
                        "country_code": "FR",
                        "locale": LOCALES[i % len(LOCALES)],
                        "languages": [],
                        "status": "arrived",
                        "version": 0,
                        "created_at": now,
                        "updated_at": now,
                        "arrival": date.today(),
                    }
                    for i, u in zip(n, users, strict=True)
                ],
            )
            await conn.execute(
                insert(Device),
                [
                    {
                        "id": d,
                        "user_id": u,
                        "name": "phone",
                        "kind": "enrolled",
                        "token_hash": d.hex + "0" * 32,
                        "created_at": now,
                        "expires_at": now + timedelta(days=30),
                    }
                    for u, d in zip(users, devices, strict=True)
                ],
            )
            await conn.execute(
                insert(PushSubscription),
                [
                    {
                        "id": uuid.uuid4(),
                        "user_id": u,
                        "device_id": d,
                        "endpoint": f"{receiver}/push/{i % KEYS}/{i}",
                        "origin": receiver,
                        "p256dh": public_keys[i % KEYS][0],
                        "auth": public_keys[i % KEYS][1],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i, u, d in zip(n, users, devices, strict=True)
                ],
            )
        if engine.dialect.name == "postgresql":
            # As on a live server, whose tables autovacuum has analyzed: plans from real statistics.
            await conn.execute(text("ANALYZE"))
    await engine.dispose()


# ---- the runs ------------------------------------------------------------------------------------------
async def stats(receiver: str, reset: bool = False) -> dict[str, Any]:
    async with ClientSession() as session:
        if reset:
            async with session.post(f"{receiver}/reset") as resp:
                return await resp.json()
        async with session.get(f"{receiver}/stats") as resp:
            return await resp.json()


def _bench_settings(url: str, data_dir: Path, receiver: str, helpers: int | None = None) -> Any:
    from liaison.push.messages import RENDERERS, PushText
    from liaison.push.models import PushJob
    from liaison.settings import Settings

    async def alert_text(_session: Any, job: PushJob, lang: str) -> PushText:
        # Rendering is cached per job × language (9 renders for 80,000 pushes): its cost is not what is measured.
        return PushText(
            f"[{lang}] Alert level: emergency",
            "Urgence attentat: stay at your post, follow the instructions of the French commander on site.",
            "/alert",
        )

    RENDERERS["alert_level"] = alert_text
    return Settings(
        database_url=url,
        data_dir=data_dir,
        push_allowed_origins=(receiver,),
        run_worker=False,
        reminder_lead_minutes=0,
        log_level="WARNING",
        push_processes=helpers,
    )


def extra_worker_main(
    url: str, data_dir: Path, receiver: str, helpers: int | None, ready: Any, go: Any, finish: Any, cpu_out: Any
) -> None:
    """One more `liaison worker` process (PostgreSQL scale-out): starts once the first page is fanned out."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))
    uvloop.run(_extra_worker(url, data_dir, receiver, helpers, ready, go, finish, cpu_out))


async def _extra_worker(
    url: str, data_dir: Path, receiver: str, helpers: int | None, ready: Any, go: Any, finish: Any, cpu_out: Any
) -> None:
    from liaison.database import make_engine, make_sessionmaker
    from liaison.push.models import PushDelivery
    from liaison.push.worker import run_worker
    from liaison.runtime import tune_for_serving

    settings = _bench_settings(url, data_dir, receiver, helpers)
    tune_for_serving()  # as `liaison worker` does
    engine = make_engine(settings)
    sessionmaker = make_sessionmaker(engine)
    pool = await started_pool(settings)
    ready.set()
    if not await asyncio.get_running_loop().run_in_executor(None, go.wait, 600):
        pool.close()  # the bench gave up before starting: so does this worker
        return
    cpu_started = time.process_time()
    while True:  # as a worker woken by its poll: starts once there is something to send
        async with sessionmaker() as session:
            if await session.scalar(select(func.count()).select_from(PushDelivery)):
                break
        await asyncio.sleep(0.02)
    await run_worker(settings, once=True, sessionmaker=sessionmaker, pool=pool)
    cpu_out.put(time.process_time() - cpu_started)
    await asyncio.get_running_loop().run_in_executor(None, finish.wait, 60)
    pool.close()
    await engine.dispose()


async def started_pool(settings: Any) -> Any:
    """The worker's sending helpers, started before the clock as a serving worker has them from its start."""
    from liaison.push.senders import SenderPool

    pool = SenderPool.for_settings(settings)
    await pool.start()
    return pool


class ProcessCpu:
    """CPU seconds of other processes while a phase runs, read from /proc: the PostgreSQL backends serving
    the bench's database, and the workers' sending helper processes (their children).

    Each is read every quarter second (time used after the last read of a process that then exits is
    lost, so short-lived ones are undercounted). The polling thread's own CPU is kept apart, to be taken
    off the worker process it runs in.
    """

    def __init__(self, database: str | None, skip: set[int], parents: set[int]) -> None:
        self.database = f" {database} " if database else None
        self.skip = {str(pid) for pid in skip}
        self.parents = {str(pid) for pid in parents}
        self.seen: dict[str, tuple[str, int]] = {}
        self.base: dict[str, int] = {}
        self.own = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _read(self) -> None:
        for proc in Path("/proc").glob("[0-9]*"):
            if proc.name in self.skip:
                continue
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[1] in self.parents:
                    kind = "helpers"
                elif self.database and self.database in (proc / "cmdline").read_bytes().decode("latin-1"):
                    kind = "postgresql"
                else:
                    continue
                self.seen[proc.name] = (kind, int(fields[11]) + int(fields[12]))  # utime + stime, clock ticks
            except (OSError, IndexError, ValueError):
                continue

    def _poll(self) -> None:
        started = time.thread_time()
        while not self._stop.wait(0.25):
            self._read()
        self._read()
        self.own = time.thread_time() - started

    def start(self) -> None:
        self._read()
        self.base = {pid: ticks for pid, (_kind, ticks) in self.seen.items()}
        self._thread.start()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        totals: dict[str, float] = {"helpers": 0.0, "postgresql": 0.0}
        for pid, (kind, ticks) in self.seen.items():
            totals[kind] += (ticks - self.base.get(pid, 0)) / os.sysconf("SC_CLK_TCK")
        return totals


async def run_worker_phase(
    url: str,
    data_dir: Path,
    receiver: str,
    receiver_pid: int,
    count: int,
    limit: float,
    workers: int = 1,
    helpers: int | None = None,
) -> dict[str, Any]:
    from liaison.database import make_engine, make_sessionmaker
    from liaison.push.models import PushDelivery
    from liaison.push.outbox import enqueue_push
    from liaison.push.worker import run_worker
    from liaison.runtime import tune_for_serving

    settings = _bench_settings(url, data_dir, receiver, helpers)
    tune_for_serving()  # as `liaison serve` (whose in-process worker this is) and `liaison worker` do
    engine = make_engine(settings)
    sessionmaker = make_sessionmaker(engine)
    pool = await started_pool(settings)
    ctx = mp.get_context("spawn")
    go, finish, cpu_out = ctx.Event(), ctx.Event(), ctx.Queue()
    extras = []
    for _ in range(workers - 1):
        ready = ctx.Event()
        # Not daemonic: a worker starts its own sending helpers, and a daemonic process may have no children.
        args = (url, data_dir, receiver, helpers, ready, go, finish, cpu_out)
        proc = ctx.Process(target=extra_worker_main, args=args)
        proc.start()
        extras.append((proc, ready))
    for proc, ready in extras:
        if not ready.wait(60):
            for other, _ready in extras:
                other.terminate()
            raise RuntimeError(f"extra worker process {proc.pid} did not start (exit code {proc.exitcode})")
    await stats(receiver, reset=True)
    async with sessionmaker() as session:
        enqueue_push(
            session,
            kind="alert_level",
            ref_id="current",
            user_ids=None,
            urgency="high",
            topic="alert-level",
            ttl=3600,
            params={"level": "emergency"},
        )
        await session.commit()
    others = ProcessCpu(
        engine.url.database if engine.dialect.name == "postgresql" else None,
        skip={receiver_pid, *(proc.pid for proc, _ready in extras if proc.pid is not None)},
        parents={os.getpid(), *(proc.pid for proc, _ready in extras if proc.pid is not None)},
    )
    others.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    go.set()
    await asyncio.wait_for(run_worker(settings, once=True, sessionmaker=sessionmaker, pool=pool), limit)
    cpu = time.process_time() - cpu_started
    loop = asyncio.get_running_loop()
    for _ in extras:  # each reports its CPU once its run ends, then waits for `finish` to stop its helpers
        cpu += await loop.run_in_executor(None, cpu_out.get, True, limit)
    elapsed = time.perf_counter() - started
    other_cpu = others.stop()
    cpu += other_cpu["helpers"] - others.own
    finish.set()
    for proc, _ready in extras:
        await loop.run_in_executor(None, proc.join, 30)
    pool.close()
    async with sessionmaker() as session:
        by_status = dict(
            (await session.execute(select(PushDelivery.status, func.count()).group_by(PushDelivery.status))).all()
        )
    await engine.dispose()
    received = await stats(receiver)
    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "db_cpu": other_cpu["postgresql"] if engine.dialect.name == "postgresql" else None,
        "helpers_cpu": other_cpu["helpers"],
        "by_status": by_status,
        "received": received,
        "workers": workers,
    }


async def raw_aiohttp_loop(receiver: str, body: bytes, count: int, concurrency: int = 64) -> float:
    """The ceiling: the same body POSTed `count` times over one keep-alive session, no database, no crypto."""
    await stats(receiver, reset=True)
    connector = TCPConnector(limit=0, limit_per_host=concurrency)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=10)) as session:
        queue = iter(range(count))

        async def lane() -> None:
            for i in queue:
                async with session.post(
                    f"{receiver}/push/{i % KEYS}/{i}",
                    data=body,
                    headers={"TTL": "3600", "Content-Encoding": "aes128gcm"},
                ) as resp:
                    await resp.read()

        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        return time.perf_counter() - started


def naive_webpush_loop(receiver: str, public_keys: list[tuple[str, str]], vapid_pem: Path, count: int) -> float:
    """pywebpush's one-call API, sequentially: a new connection, a JWT and an encryption per message."""
    from pywebpush import webpush

    started = time.perf_counter()
    for i in range(count):
        webpush(
            {
                "endpoint": f"{receiver}/push/{i % KEYS}/{i}",
                "keys": {"p256dh": public_keys[i % KEYS][0], "auth": public_keys[i % KEYS][1]},
            },
            data=json.dumps({"type": "alert_level", "title": "Alert", "body": "x" * 90}),
            vapid_private_key=str(vapid_pem),
            vapid_claims={"sub": "mailto:ops@liaison.example.org"},  # a fresh dict: webpush() mutates it
            ttl=3600,
            timeout=10,
        )
    return time.perf_counter() - started


def encoder_costs(public_keys: list[tuple[str, str]], count: int) -> tuple[float, float]:
    """µs a message of our RFC 8291 encoder and of pywebpush's, same payload and subscriptions, one process."""
    from pywebpush import WebPusher

    from liaison.push.ece import encrypt_for

    payload = json.dumps({"type": "alert_level", "title": "x" * 40, "body": "y" * 120}).encode()
    subs = [public_keys[i % KEYS] for i in range(count)]
    started = time.process_time()
    for p256dh, auth in subs:
        encrypt_for(payload, p256dh, auth)
    ours = time.process_time() - started
    started = time.process_time()
    for p256dh, auth in subs:
        WebPusher({"endpoint": "-", "keys": {"p256dh": p256dh, "auth": auth}}).encode(payload, "aes128gcm")
    theirs = time.process_time() - started
    return ours / count * 1e6, theirs / count * 1e6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


def bench_database(
    kind: str,
    args: argparse.Namespace,
    push_service: tuple[str, int],
    public_keys: list[tuple[str, str]],
    workdir: Path,
) -> dict[str, Any]:
    from liaison.migrate import upgrade

    name = f"liaison_bench_push_{os.getpid()}"
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    else:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        t0 = time.perf_counter()
        asyncio.run(seed(url, args.count, push_service[0], public_keys))
        print(
            f"  [{kind}] seeded {args.count:,} officers, devices and subscriptions in {time.perf_counter() - t0:.1f} s"
        )
        workers = 1 if kind == "sqlite" else args.pg_workers
        return uvloop.run(
            run_worker_phase(url, workdir, *push_service, args.count, args.time_limit, workers, args.helpers)
        )
    finally:
        if kind == "postgresql":
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=80_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--raw", type=int, default=40_000, help="pushes in the raw aiohttp baseline")
    parser.add_argument("--naive", type=int, default=300, help="pushes in the sequential webpush() baseline")
    parser.add_argument(
        "--pg-workers", type=int, default=1, help="worker processes on PostgreSQL (SQLite has one, in-process)"
    )
    parser.add_argument("--helpers", type=int, default=None, help="sending helpers per worker (default: one a core)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds allowed per fan-out")
    args = parser.parse_args()
    if not 1 <= args.count <= 200_000 or args.naive > 2000 or args.raw > 200_000 or not 1 <= args.pg_workers <= 8:
        parser.error("bounded: --count ≤ 200,000, --raw ≤ 200,000, --naive ≤ 2,000, --pg-workers 1…8")

    keys = [(ec.generate_private_key(ec.SECP256R1()), os.urandom(16)) for _ in range(KEYS)]
    public_keys = [
        (
            b64(k.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)),
            b64(a),
        )
        for k, a in keys
    ]
    port = free_port()
    receiver = f"http://127.0.0.1:{port}"
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(
        target=receiver_main, args=(port, [(k.private_numbers().private_value, a) for k, a in keys], ready), daemon=True
    )
    server.start()
    ready.wait(20)
    time.sleep(0.5)
    print(
        f"Push fan-out benchmark: {args.count:,} subscriptions, receiver {receiver} (own process),"
        f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="liaison-bench-push-") as tmp:
            workdir = Path(tmp)
            from liaison.push.ece import encrypt_for as encrypt
            from liaison.push.vapid import generate_key, key_path
            from liaison.settings import Settings

            generate_key(Settings(data_dir=workdir))
            sample_body = encrypt(
                json.dumps({"type": "alert_level", "title": "x" * 40, "body": "y" * 120}).encode(), *public_keys[0]
            )
            raw_seconds = uvloop.run(raw_aiohttp_loop(receiver, sample_body, args.raw))
            raw_rate = args.raw / raw_seconds
            raw_receiver_cpu = asyncio.run(stats(receiver))["cpu"]
            print(
                f"  raw aiohttp POST loop (pre-encrypted, no DB): {args.raw:,} in {raw_seconds:.2f} s"
                f" = {raw_rate:,.0f} msgs/s (receiver CPU {raw_receiver_cpu:.1f} s)"
            )
            naive_seconds = naive_webpush_loop(receiver, public_keys, key_path(Settings(data_dir=workdir)), args.naive)
            naive_rate = args.naive / naive_seconds
            print(
                f"  naive sequential pywebpush.webpush(): {args.naive:,} in {naive_seconds:.2f} s"
                f" = {naive_rate:,.0f} msgs/s"
            )
            ours_us, theirs_us = encoder_costs(public_keys, 2000)
            print(
                f"  encryption per message: ours (push/ece.py) {ours_us:.0f} µs, pywebpush's WebPusher.encode()"
                f" {theirs_us:.0f} µs = {theirs_us / ours_us:.2f}× ours (2,000 each)"
            )
            failed = False
            for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
                result = bench_database(kind, args, (receiver, server.pid or 0), public_keys, workdir)
                rate = args.count / result["elapsed"]
                got = result["received"]
                delivered = result["by_status"].get("delivered", 0)
                print(
                    f"  [{kind}] {result['workers']} worker process(es): {args.count:,} pushes in"
                    f" {result['elapsed']:.2f} s = {rate:,.0f} msgs/s"
                    f" | {rate / raw_rate:.2f}× the raw aiohttp loop, {rate / naive_rate:.0f}× naive webpush()"
                )
                db_cpu = result["db_cpu"]
                database = ""
                if db_cpu is not None:
                    database = f", PostgreSQL {db_cpu:.1f} s ({db_cpu / args.count * 1e6:,.0f} µs a push)"
                helpers = ""
                if result["helpers_cpu"]:
                    helpers = f", {result['helpers_cpu']:.1f} s of it in sending helpers"
                print(
                    f"  [{kind}] CPU: worker process(es) {result['cpu']:.1f} s"
                    f" ({result['cpu'] / args.count * 1e6:,.0f} µs a push{helpers}), receiver {got['cpu']:.1f} s"
                    f" ({got['cpu'] / args.count * 1e6:,.0f} µs a push){database} over {result['elapsed']:.1f} s"
                    f" on {os.cpu_count()} cores; load average now"
                    f" {os.getloadavg()[0]:.2f} (other work on the machine shares these cores)"
                )
                print(
                    f"  [{kind}] receiver counted {got['count']:,}; deliveries {result['by_status']}; sample: "
                    f"{got['decrypted']}/{got['sampled']} decrypted, {got['vapid_ok']}/{got['sampled']} VAPID valid"
                )
                if (
                    got["count"] != args.count
                    or delivered != args.count
                    or got["decrypted"] != got["sampled"]
                    or got["vapid_ok"] != got["sampled"]
                ):
                    print(f"  [{kind}] MISMATCH: not every push was delivered once, decryptable and VAPID-valid")
                    failed = True
            return 1 if failed else 0
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))
    sys.exit(main())
