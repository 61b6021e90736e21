"""The push worker: fans jobs out into deliveries, sends them, records every answer.

A job is fanned out once into a `push_deliveries` row per subscribed device: a broadcast in pages of
subscriptions, each page's transaction also moving the job's mark, so that sending starts after the first
page and a restart resumes after the last one committed (the unique (job, subscription) pair forbids a
second row). Deliveries are then claimed in batches (PostgreSQL: row locks, `FOR UPDATE SKIP LOCKED`, held by the
batch's open transaction, so several `liaison worker` processes share the work; SQLite: a lease, for the
one in-process worker), sent (a big batch by the worker's helper processes, push/senders.py), and their
outcomes written back in bulk. A worker that dies leaves its batch
pending: PostgreSQL unlocks it when the connection drops, SQLite's lease is cleared at the next start; rows
already marked delivered are never sent again. Delivery is at-least-once: a kill between a push
service's 201 and our write re-sends those few, and the payload's `tag` makes the phone collapse them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Select, and_, delete, exists, func, insert, literal, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import liaison.push.texts  # noqa: F401  (registers the assignment and reminder renderers)
from liaison.auth.models import Device
from liaison.database import UTCDateTime, make_engine, make_sessionmaker, utcnow
from liaison.hot_reads import any_of, dialect_of, raw
from liaison.officers.models import User
from liaison.push import wake
from liaison.push.messages import RENDERERS
from liaison.push.models import PushDelivery, PushJob, PushSubscription
from liaison.push.origins import origin_allowed
from liaison.push.payload import build
from liaison.push.reminders import schedule_reminders
from liaison.push.sender import PER_ORIGIN, Outcome, PushSender
from liaison.push.senders import CHUNK as SEND_CHUNK
from liaison.push.senders import Item, SenderPool, encrypt_items
from liaison.push.vapid import VapidSigner, load_or_create_key
from liaison.settings import Settings

log = logging.getLogger("liaison.push.worker")
BATCH = 1000  # deliveries per claim: at most PIPELINE × BATCH sent again after a kill
PIPELINE = 3  # batches in flight per worker: the helpers always have the next one
# Concurrent sends per batch: with PIPELINE batches in flight this stays within the sender's per-origin bound.
LANES = PER_ORIGIN // PIPELINE
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8  # about six and a half minutes of retries without Retry-After
POLL_SECONDS = 5.0
REMINDER_EVERY = 30.0
VAPID_PAUSE = timedelta(minutes=5)
ANALYZE_AFTER = 5000  # deliveries written by one fan-out
# Subscriptions in a broadcast's first fan-out transaction: sending starts after it instead of after all
# 80,000. Each later page is FANOUT_GROWTH times the one before (up to FANOUT_PAGE_MAX): every page joins
# the subscriptions to the whole users and devices tables (on PostgreSQL a hash join over both), so 80,000
# in pages of 5,000 cost 16 such scans, where 1,000, 4,000, 16,000 and 59,000 cost four.
FANOUT_PAGE = 1000
FANOUT_GROWTH = 4
FANOUT_PAGE_MAX = 64_000
CHUNK = 500  # ids per IN (...) list: well under SQLite's parameter limit
_DELIVERIES = PushDelivery.__table__
_UNEXPANDED = PushJob.expanded_at.is_(None)
_SUBS = PushSubscription.__table__


@dataclass(slots=True)
class Claimed:
    id: int
    job_id: int
    subscription_id: Any  # a UUID; on SQLite the stored hex text (see claim)
    locale: str
    attempts: int
    endpoint: str | None
    origin: str | None
    p256dh: str | None
    auth: str | None


@dataclass(slots=True)
class Batch:
    items: list[Claimed]
    # PostgreSQL: the open transaction whose row locks (FOR UPDATE SKIP LOCKED) hold the batch; its outcomes
    # are written and committed in it. A worker that dies drops its connection, and PostgreSQL hands the rows
    # back at once. SQLite (one worker): None, the rows carry a lease instead.
    session: AsyncSession | None = None
    recording: bool = False  # its outcomes are being written (record() closes the session)


@dataclass(slots=True)
class Result:
    delivery: Claimed
    state: str  # delivered | gone | retry | failed | released | postponed
    status: int | None = None
    error: str | None = None
    delay: float = 0.0


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def backoff(attempts: int, retry_after: float | None) -> float:
    """The push service's Retry-After when it gave one; else exponential with jitter (3 s, 6 s… 10 min)."""
    if retry_after is not None:
        return min(3600.0, max(1.0, retry_after))
    return min(600.0, 3.0 * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


@dataclass
class PushWorker:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    sender: PushSender
    batch: int = BATCH
    lanes: int = LANES
    fanout_page: int = FANOUT_PAGE
    fanout_growth: int = FANOUT_GROWTH
    pool: SenderPool | None = None
    sent: int = 0
    _written: int = 0  # deliveries fanned out in this drain
    _analyzed: bool = False
    _fanning: bool = False  # a job has pages left to fan out
    _jobs: dict[int, PushJob] = field(default_factory=dict)
    _payloads: dict[tuple[int, str], bytes | None] = field(default_factory=dict)
    _paused: dict[str, datetime] = field(default_factory=dict)
    _pages: dict[int, int] = field(default_factory=dict)  # job id → the size of its last page written here
    _recording: set[asyncio.Future[None]] = field(default_factory=set)

    @property
    def _is_pg(self) -> bool:
        return not self.settings.is_sqlite

    # ---- fan-out ----------------------------------------------------------------------------------------
    async def expand_jobs(self) -> int:
        """Writes the next deliveries of jobs not yet fully fanned out: one page of a broadcast, or all of a
        job for named users, each in the same transaction as its mark. Returns how many jobs it advanced."""
        async with self.sessionmaker() as session:
            query = select(PushJob).where(_UNEXPANDED).order_by(PushJob.id).limit(20)
            if self._is_pg:
                # A job being fanned out by another worker is skipped: that worker writes its next page.
                query = query.with_for_update(skip_locked=True)
            jobs = (await session.scalars(query)).all()
            written = 0
            for job in jobs:
                written += await self._fan_out(session, job)
            await session.commit()
            # Pages remain: of these jobs, or of one another worker is fanning out (locked, so skipped here).
            self._fanning = any(job.expanded_at is None for job in jobs) or (
                self._is_pg and not jobs and bool(await session.scalar(select(exists().where(_UNEXPANDED))))
            )
            self._written += written
            if self._is_pg and self._written >= ANALYZE_AFTER and not self._analyzed:
                # Fresh statistics, or the planner, still counting the table empty, sorts every pending row
                # at each claim instead of reading the first few off the index (seen: 0.3 s a claim at 80,000).
                # Once per drain: the planner scales the row count with the table's pages as it grows.
                self._analyzed = True
                await session.execute(text("ANALYZE push_deliveries"))
                await session.commit()
            return len(jobs)

    async def _fan_out(self, session: AsyncSession, job: PushJob) -> int:
        now = utcnow()
        columns = ["job_id", "subscription_id", "locale", "status", "attempts", "next_attempt_at", "updated_at"]
        base = (
            select(
                literal(job.id),
                PushSubscription.id,
                User.locale,
                literal("pending"),
                literal(0),
                literal(now, UTCDateTime()),
                literal(now, UTCDateTime()),
            )
            .join(User, User.id == PushSubscription.user_id)
            .join(Device, Device.id == PushSubscription.device_id)
            .where(User.deleted_at.is_(None), Device.revoked_at.is_(None), Device.expires_at > now)
        )
        last_page = True
        if job.user_ids is None:
            # A broadcast: the next page of subscriptions after the mark. Their last id bounds the page
            # (whatever the joins then filter out); none that far means this is the last page.
            after = job.fanned_out_to
            last = self._pages.get(job.id) if after is not None else None
            page = self.fanout_page if last is None else min(FANOUT_PAGE_MAX, last * self.fanout_growth)
            self._pages[job.id] = page
            ids = select(PushSubscription.id).order_by(PushSubscription.id)
            if after is not None:
                ids = ids.where(PushSubscription.id > after)
                base = base.where(PushSubscription.id > after)
            bound = await session.scalar(ids.offset(page - 1).limit(1))
            if bound is not None:
                base = base.where(PushSubscription.id <= bound)
                job.fanned_out_to = bound
                last_page = False
            selects = [base]
        else:
            user_ids = [uuid.UUID(u) for u in job.user_ids]
            selects = [base.where(PushSubscription.user_id.in_(chunk)) for chunk in _chunks(user_ids)]
        written = 0
        for sel in selects:
            result = await session.execute(insert(PushDelivery).from_select(columns, sel))
            written += max(0, result.rowcount)  # type: ignore[attr-defined]
        job.claimed_at = job.claimed_at or now
        if last_page:
            job.expanded_at = now
            if not await session.scalar(select(exists().where(PushDelivery.job_id == job.id))):
                job.done_at = now
        return written

    # ---- claiming ---------------------------------------------------------------------------------------
    def _due(self, now: datetime) -> Select[Any]:
        return (
            select(
                _DELIVERIES.c.id,
                _DELIVERIES.c.job_id,
                _DELIVERIES.c.subscription_id,
                _DELIVERIES.c.locale,
                _DELIVERIES.c.attempts,
            )
            .where(
                _DELIVERIES.c.status == "pending",
                _DELIVERIES.c.next_attempt_at <= now,
                or_(_DELIVERIES.c.lease_until.is_(None), _DELIVERIES.c.lease_until < now),
            )
            .order_by(_DELIVERIES.c.next_attempt_at)
            .limit(self.batch)
        )

    async def claim(self) -> Batch:
        """Takes a batch of due deliveries with their subscriptions (Core statements: no ORM bookkeeping).

        PostgreSQL: locks the rows (`FOR UPDATE SKIP LOCKED`) in a transaction kept open until the batch is
        recorded, so each delivery row is written once. SQLite: one `UPDATE … RETURNING` sets a lease.
        """
        now = utcnow()
        session = self.sessionmaker()
        try:
            if self._is_pg:
                # One statement: the due rows, locked, with their subscriptions (outer join: a removed
                # subscription still yields its delivery, recorded "gone"). OF: only deliveries are locked.
                joined = (
                    self._due(now)
                    .add_columns(_SUBS.c.endpoint, _SUBS.c.origin, _SUBS.c.p256dh, _SUBS.c.auth)
                    .outerjoin(_SUBS, _SUBS.c.id == _DELIVERIES.c.subscription_id)
                    .with_for_update(skip_locked=True, of=_DELIVERIES)
                )
                items = [Claimed(*row) for row in (await session.execute(joined)).all()]
            else:
                # SQLite (one worker): the due rows with their subscriptions in one read, then their lease. The
                # subscription id is read as stored (hex text): it is only needed again if the push service
                # says the subscription is gone.
                joined = (
                    self._due(now)
                    .with_only_columns(
                        _DELIVERIES.c.id,
                        _DELIVERIES.c.job_id,
                        raw(_DELIVERIES.c.subscription_id),
                        _DELIVERIES.c.locale,
                        _DELIVERIES.c.attempts,
                        _SUBS.c.endpoint,
                        _SUBS.c.origin,
                        _SUBS.c.p256dh,
                        _SUBS.c.auth,
                    )
                    .outerjoin(_SUBS, _SUBS.c.id == _DELIVERIES.c.subscription_id)
                )
                items = [Claimed(*row) for row in (await session.execute(joined)).all()]
                if items:
                    await session.execute(
                        update(_DELIVERIES)
                        .where(any_of(_DELIVERIES.c.id, "ids", "sqlite"))
                        .values(lease_until=now + LEASE),
                        {"ids": [d.id for d in items]},
                    )
            if not items or not self._is_pg:
                await session.commit()
                await session.close()
        except BaseException:
            await session.close()
            raise
        return Batch(items, session if items and self._is_pg else None)

    # ---- rendering --------------------------------------------------------------------------------------
    async def _prepare(self, batch: list[Claimed]) -> None:
        """Loads the batch's jobs and renders each (job, language) once."""
        job_ids = {d.job_id for d in batch} - self._jobs.keys()
        needed = {(d.job_id, d.locale) for d in batch} - self._payloads.keys()
        if not job_ids and not needed:
            return
        async with self.sessionmaker() as session:
            if job_ids:
                for job in await session.scalars(select(PushJob).where(PushJob.id.in_(job_ids))):
                    self._jobs[job.id] = job
            for job_id, locale in needed:
                job = self._jobs[job_id]
                render = RENDERERS.get(job.kind)
                if render is None:
                    log.error("no renderer for push kind %r (job %s): nothing sent", job.kind, job.id)
                    self._payloads[(job_id, locale)] = None
                    continue
                try:
                    text = await render(session, job, locale)
                    self._payloads[(job_id, locale)] = None if text is None else build(job, text)
                except Exception:
                    # One broken text must not stall every other push behind it: this one is recorded failed.
                    log.exception("rendering push job %s (%s) in %s failed: nothing sent", job.id, job.kind, locale)
                    self._payloads[(job_id, locale)] = None

    # ---- sending ----------------------------------------------------------------------------------------
    def _unsendable(self, d: Claimed) -> Result | None:
        """Why this delivery is not sent now (gone, nothing to send, refused origin, VAPID pause), or None."""
        if d.endpoint is None or d.origin is None or d.p256dh is None or d.auth is None:
            return Result(d, "gone", error="subscription removed")
        if self._payloads.get((d.job_id, d.locale)) is None:
            return Result(d, "failed", error="nothing to send (withdrawn, or no renderer)")
        if not origin_allowed(d.origin, self.settings.push_allowed_origins):
            return Result(d, "failed", error=f"push service {d.origin} no longer allowed")
        paused = self._paused.get(d.origin)
        if paused is not None and paused > utcnow():
            return Result(d, "postponed", delay=(paused - utcnow()).total_seconds())
        return None

    def _item(self, d: Claimed) -> Item:
        job = self._jobs[d.job_id]
        assert d.endpoint and d.origin and d.p256dh and d.auth
        headers = self.sender.headers(d.origin, job.ttl, job.urgency, job.topic)
        return (d.id, d.endpoint, d.origin, self._payloads[(d.job_id, d.locale)], d.p256dh, d.auth, headers)  # type: ignore[return-value]

    async def _send_here(self, items: list[tuple[Claimed, Item]], answered: Any) -> None:
        """Encrypts and sends in this process: a chunk encrypted in one go, then sent over a few lanes."""
        ready: deque[tuple[Claimed, Item, bytes | str]] = deque()
        todo = iter(items)

        def next_one() -> tuple[Claimed, Item, bytes | str] | None:
            if not ready:
                chunk = list(islice(todo, SEND_CHUNK))
                bodies = encrypt_items([item for _, item in chunk])
                ready.extend((d, item, body) for (d, item), body in zip(chunk, bodies, strict=True))
            return ready.popleft() if ready else None

        async def lane() -> None:
            # A few long-lived lanes rather than a task per push: no task to create and no semaphore to queue
            # on for each of the batch's hundreds of pushes.
            while (next_up := next_one()) is not None:
                d, item, body = next_up
                if isinstance(body, str):
                    answered(d, Outcome(None, None, body, sent=False))
                    continue
                answered(d, await self.sender.send(item[1], item[2], body, item[6]))

        await asyncio.gather(*(lane() for _ in range(min(self.lanes, len(items)))))

    async def _send_by_helpers(self, items: list[tuple[Claimed, Item]], answered: Any) -> None:
        """Hands the pushes to the helper processes; those whose helper ended are sent here instead."""
        assert self.pool is not None
        claimed = {d.id: d for d, _ in items}
        try:
            handover = await self.pool.hand_over([item for _, item in items], lambda i, o: answered(claimed[i], o))
        except Exception:
            log.exception("push sender helpers unavailable: sending from the worker")
            await self._send_here(items, answered)
            return
        try:
            orphans = await handover.finished
        finally:
            handover.finished.cancel()  # cancelled: later answers are ignored, the rows are released
        if orphans:
            log.warning("push sender helper lost %d pushes in flight: sending them from the worker", len(orphans))
            await self._send_here([(claimed[item[0]], item) for item in orphans], answered)

    def _classify(self, d: Claimed, outcome: Outcome) -> Result:
        status = outcome.status
        if status is not None and 200 <= status < 300:
            return Result(d, "delivered", status)
        if status in (404, 410):
            return Result(d, "gone", status, outcome.error)
        if status in (401, 403):
            assert d.origin is not None
            log.error(
                "VAPID misconfiguration: %s refused our VAPID credentials (HTTP %s: %s). Check the key in %s and "
                "LIAISON_VAPID_SUBJECT (%s); pushes to this service are paused for %s.",
                d.origin,
                status,
                outcome.error,
                self.settings.data_dir,
                self.settings.vapid_subject,
                VAPID_PAUSE,
            )
            self._paused[d.origin] = utcnow() + VAPID_PAUSE
            return Result(d, "failed", status, f"VAPID refused: {outcome.error}")
        if status is None or status == 429 or status >= 500:
            attempts = d.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                return Result(d, "failed", status, outcome.error)
            return Result(d, "retry", status, outcome.error, backoff(attempts, outcome.retry_after))
        # 400 (bad request), 413 (too large)…: sending the same bytes again cannot succeed.
        return Result(d, "failed", status, outcome.error)

    async def process(self, batch: Batch) -> None:
        await self._prepare(batch.items)
        results: list[Result] = []
        done: set[int] = set()
        sendable: list[tuple[Claimed, Item]] = []
        for d in batch.items:
            refused = self._unsendable(d)
            if refused is None:
                sendable.append((d, self._item(d)))
            else:
                results.append(refused)
                done.add(d.id)

        def answered(d: Claimed, outcome: Outcome) -> None:
            if not outcome.sent:  # it could not be encrypted: the same keys never will be
                results.append(Result(d, "failed", error=outcome.error))
            else:
                self.sent += 1
                results.append(self._classify(d, outcome))
            done.add(d.id)

        try:
            if self.pool is not None and self.pool.wanted(len(sendable)):
                await self._send_by_helpers(sendable, answered)
            elif sendable:
                await self._send_here(sendable, answered)
        finally:
            # Also when cancelled (shutdown, a killed task): what was acknowledged is written down, the
            # rest released, so a restart resumes exactly there.
            results.extend(Result(d, "released") for d in batch.items if d.id not in done)
            # Shielded, and waited for by drain(): a cancellation must not cut it off between its UPDATE and its
            # COMMIT (the rows would stay locked by a connection nobody uses).
            batch.recording = True
            recording = asyncio.ensure_future(self.record(results, batch.session))
            self._recording.add(recording)
            recording.add_done_callback(self._recording.discard)
            await asyncio.shield(recording)

    # ---- recording --------------------------------------------------------------------------------------
    async def record(self, results: list[Result], session: AsyncSession | None = None) -> None:
        """Writes a batch's outcomes: one UPDATE per kind of outcome (delivered…), the rare ones row by row.

        `session`: the batch's own open transaction (PostgreSQL), committed and closed here.
        """
        now = utcnow()
        bulk: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        if session is None:
            session = self.sessionmaker()
        async with session:
            for r in results:
                if r.state == "released" and self._is_pg:
                    continue  # never leased: the commit below unlocks it
                if r.state in ("delivered", "released"):
                    bulk[(r.state, r.status)].append(r.delivery.id)
                    continue
                values = self._values(r, now)
                await session.execute(update(_DELIVERIES).where(_DELIVERIES.c.id == r.delivery.id).values(**values))
            dialect = dialect_of(session)
            for (state, status), ids in bulk.items():
                values = self._values(Result(results[0].delivery, state, status), now)
                for chunk in _chunks(ids):
                    await session.execute(
                        update(_DELIVERIES).where(any_of(_DELIVERIES.c.id, "ids", dialect)).values(**values),
                        {"ids": list(chunk)},
                    )
            await session.commit()
        gone = [r.delivery for r in results if r.state == "gone" and r.delivery.subscription_id is not None]
        if gone:
            # After the batch's commit, in a short transaction of its own: the deletion sets other deliveries'
            # subscription to NULL, and those rows may sit in another worker's locked batch.
            async with self.sessionmaker() as cleanup:
                for d in gone:
                    sub_id = d.subscription_id
                    sub_id = sub_id if isinstance(sub_id, uuid.UUID) else uuid.UUID(sub_id)
                    # Only if the device has not re-subscribed with a new endpoint meanwhile.
                    await cleanup.execute(delete(_SUBS).where(_SUBS.c.id == sub_id, _SUBS.c.endpoint == d.endpoint))
                await cleanup.commit()

    @staticmethod
    def _values(r: Result, now: datetime) -> dict[str, Any]:
        common: dict[str, Any] = {"lease_until": None, "updated_at": now}
        if r.state == "released":
            return common
        if r.state == "postponed":
            return {**common, "next_attempt_at": now + timedelta(seconds=r.delay)}
        values = {**common, "attempts": _DELIVERIES.c.attempts + 1, "last_status": r.status, "last_error": r.error}
        if r.state == "retry":
            return {**values, "next_attempt_at": now + timedelta(seconds=r.delay)}
        return {**values, "status": r.state}

    async def finish_jobs(self) -> None:
        """Marks fanned-out jobs with nothing pending as done; once per drain, as it reads each job's deliveries."""
        pending = exists().where(and_(PushDelivery.job_id == PushJob.id, PushDelivery.status == "pending"))
        async with self.sessionmaker() as session:
            await session.execute(
                update(PushJob)
                .where(PushJob.done_at.is_(None), PushJob.expanded_at.is_not(None), ~pending)
                .values(done_at=utcnow())
            )
            await session.commit()

    # ---- loop -------------------------------------------------------------------------------------------
    async def release_stale_leases(self) -> None:
        """SQLite has one worker: any lease in the table belongs to a process that is gone."""
        async with self.sessionmaker() as session:
            await session.execute(
                update(PushDelivery).where(PushDelivery.lease_until.is_not(None)).values(lease_until=None)
            )
            await session.commit()

    async def drain(self) -> int:
        """Sends everything due now; returns how many deliveries were handled.

        Two batches are in flight at once, so the database work of one (claim, record) overlaps the
        network and encryption work of the other.
        """
        handled = 0
        in_flight: set[asyncio.Task[None]] = set()
        batches: dict[asyncio.Task[None], Batch] = {}
        fanning: asyncio.Task[None] | None = None
        self._written, self._analyzed = 0, False
        try:
            await self.expand_jobs()
            while True:
                if self._fanning and fanning is None:
                    # The rest of a broadcast's pages are written alongside the sending of the first.
                    fanning = asyncio.create_task(self._fan_out_rest())
                batch = await self.claim()
                if not batch.items:
                    if in_flight:
                        in_flight = await _settle_one(in_flight)
                        continue
                    if fanning is not None:
                        # Sending caught up with the fan-out: wait for its next page (or its end).
                        await asyncio.wait({fanning}, timeout=0.02)
                        if fanning.done():
                            fanning.result()
                            fanning = None
                        continue
                    if await self.expand_jobs():
                        continue
                    await self.finish_jobs()
                    # Jobs and texts are re-read next time: a retry an hour later renders what is true then.
                    self._jobs.clear()
                    self._pages.clear()
                    self._payloads.clear()
                    return handled
                handled += len(batch.items)
                task = asyncio.create_task(self.process(batch))
                in_flight.add(task)
                batches[task] = batch
                if len(in_flight) >= PIPELINE:
                    in_flight = await _settle_one(in_flight)
                    batches = {t: b for t, b in batches.items() if t in in_flight}
        finally:
            if fanning is not None:
                fanning.cancel()  # a page not committed is written again after restart
                await asyncio.gather(fanning, return_exceptions=True)
            for task in in_flight:
                task.cancel()
            # Each cancelled batch writes what it got acknowledged before giving up (see process()).
            await asyncio.gather(*in_flight, return_exceptions=True)
            if self._recording:
                await asyncio.gather(*self._recording, return_exceptions=True)
            # A batch cancelled before it even started never reached record(): its rows go back now.
            for task in in_flight:
                batch = batches[task]
                if batch.session is not None and not batch.recording:
                    await batch.session.close()

    async def _fan_out_rest(self) -> None:
        while self._fanning:
            if not await self.expand_jobs():
                await asyncio.sleep(0.05)  # another worker holds the job while it writes a page

    async def next_due_in(self) -> float | None:
        async with self.sessionmaker() as session:
            due = await session.scalar(
                select(func.min(PushDelivery.next_attempt_at)).where(PushDelivery.status == "pending")
            )
        return None if due is None else max(0.0, (due - utcnow()).total_seconds())


async def _settle_one(tasks: set[asyncio.Task[None]]) -> set[asyncio.Task[None]]:
    """Waits for one batch to finish (re-raising its error); returns those still running."""
    done, running = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        task.result()
    return running


async def run_worker(
    settings: Settings,
    once: bool = False,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    poll_seconds: float | None = None,
    pool: SenderPool | None = None,
) -> None:
    """Delivers queued pushes until cancelled (or, with `once`, until nothing is due now).

    `pool`: sending helpers already started by the caller (and closed by it); else the worker starts its own,
    at once when it runs until cancelled, so that the first alert does not wait for them.
    """
    poll = POLL_SECONDS if poll_seconds is None else poll_seconds
    engine = None
    if sessionmaker is None:
        engine = make_engine(settings)
        sessionmaker = make_sessionmaker(engine)
    signer = VapidSigner(load_or_create_key(settings), settings.vapid_subject)
    woken = asyncio.Event()
    wake.register(woken)
    own_pool = pool is None
    if pool is None:
        pool = SenderPool.for_settings(settings)
    starting = None
    if own_pool and not once and pool.processes:
        starting = asyncio.create_task(pool.start(), name="liaison-push-senders-start")
        starting.add_done_callback(_log_failure)
    try:
        async with PushSender(signer) as sender:
            worker = PushWorker(settings, sessionmaker, sender, fanout_page=FANOUT_PAGE, pool=pool)
            if settings.is_sqlite:
                await worker.release_stale_leases()
            last_reminders = 0.0
            loop = asyncio.get_running_loop()
            while True:
                woken.clear()
                if settings.reminder_lead_minutes and loop.time() - last_reminders >= REMINDER_EVERY:
                    await schedule_reminders(sessionmaker, settings.reminder_lead_minutes)
                    last_reminders = loop.time()
                await worker.drain()
                if once:
                    return
                due = await worker.next_due_in()
                timeout = poll if due is None else min(poll, max(0.05, due))
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that arrives just as
                # the event is set, and the worker would then outlive the app's shutdown.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await woken.wait()
    finally:
        wake.unregister(woken)
        if starting is not None and not starting.done():
            starting.cancel()
            with contextlib.suppress(BaseException):
                await starting
        if own_pool:
            pool.close()
        if engine is not None:
            await engine.dispose()


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("push sender helpers did not start: the worker sends by itself", exc_info=task.exception())


def start_in_process(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> asyncio.Task[None]:
    """The app's own worker (the default); `liaison worker` processes scale out on PostgreSQL."""

    async def guarded() -> None:
        while True:
            try:
                await run_worker(settings, sessionmaker=sessionmaker)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("push worker failed; restarting in 5 s")
                await asyncio.sleep(5)

    return asyncio.create_task(guarded(), name="liaison-push-worker")


async def stop_in_process(task: asyncio.Task[None]) -> None:
    # Cancelled again until it ends: a cancellation swallowed somewhere below must not hang the shutdown.
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=2)
    with contextlib.suppress(asyncio.CancelledError):
        task.result()
