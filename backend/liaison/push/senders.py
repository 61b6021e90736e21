"""Helper processes that encrypt and send a big batch's pushes, so that one worker uses every core.

A push costs about 130 µs of aiohttp and 140 µs of RFC 8291 encryption here: one process tops out near
3,500 a second. The worker keeps the database work (claims, records, retries, the VAPID pause) and hands
a big batch to these helpers in chunks. Each helper encrypts a chunk in one go (see `ece.encrypt_many`),
sends it over its own aiohttp session, keep-alive and bounded per push service, and streams every answer
back as it arrives, so that a worker stopped mid-batch still records what was acknowledged. The headers,
VAPID token included, come from the worker: a token is still signed once per push service for all helpers.

Small batches (an assignment change, a reminder) are sent by the worker itself: the round trip would cost
more than it saves. A helper that dies hands its unanswered pushes back; the worker sends those itself,
and the next big batch starts a new helper.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from liaison.push.ece import encrypt_many
from liaison.push.sender import PER_ORIGIN, REQUEST_TIMEOUT, Outcome, PushSender
from liaison.runtime import tune_gc
from liaison.settings import Settings

log = logging.getLogger("liaison.push.senders")
POOL_MIN = 64  # pushes in a batch before helpers are worth their round trip
CHUNK = 100  # pushes per message to a helper: 14 ms of encryption, so the first pushes leave early
FLUSH_SECONDS = 0.005
_LENGTH = 4  # bytes of each frame's length prefix

# (delivery id, endpoint, origin, payload, p256dh, auth, headers); the payload and headers objects are
# shared by a job's deliveries, and pickle writes each shared object once per frame.
Item = tuple[int, str, str, bytes, str, str, dict[str, str]]
# (delivery id, HTTP status or None, Retry-After seconds, error, sent: False when it could not be encrypted)
Answer = tuple[int, int | None, float | None, str | None, bool]


def auto_processes() -> int:
    """One helper per core: the worker itself then mostly waits on the database and the helpers."""
    return min(8, os.cpu_count() or 1)


def encrypt_items(items: Sequence[Item]) -> list[bytes | str]:
    """Each item's encrypted body (or why it has none), the chunk in one go: see `ece.encrypt_many`."""
    return encrypt_many([(item[3], item[4], item[5]) for item in items])


def _frame(obj: Any) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_LENGTH, "big") + data


async def _read_frame(reader: asyncio.StreamReader) -> Any:
    size = int.from_bytes(await reader.readexactly(_LENGTH), "big")
    return pickle.loads(await reader.readexactly(size))


# ---- inside a helper process ---------------------------------------------------------------------------
def helper_main(sock: socket.socket, per_origin: int, timeout: float) -> None:
    """A helper's entry point (a spawned process): serves chunks until its worker goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker, which then stops its helpers
    tune_gc()
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency; plain asyncio works too
        asyncio.run(_serve(sock, per_origin, timeout))
    else:
        uvloop.run(_serve(sock, per_origin, timeout))


async def _serve(sock: socket.socket, per_origin: int, request_timeout: float) -> None:
    reader, writer = await asyncio.open_connection(sock=sock)
    answers = _Answers(writer)
    ready: asyncio.Queue[tuple[Item, bytes]] = asyncio.Queue()
    async with PushSender(None, per_origin=per_origin, timeout=request_timeout, lanes_bound=True) as sender:
        # One set of lanes for every chunk: as many as one push service may have in flight from this helper.
        lanes = [asyncio.create_task(_lane(sender, ready, answers)) for _ in range(per_origin)]
        while True:
            try:
                chunk: list[Item] = await _read_frame(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                break  # the worker is gone: so is this helper
            for item, body in zip(chunk, encrypt_items(chunk), strict=True):
                if isinstance(body, str):
                    answers.put((item[0], None, None, body, False))
                else:
                    ready.put_nowait((item, body))
        for lane in lanes:
            lane.cancel()


async def _lane(sender: PushSender, ready: asyncio.Queue[tuple[Item, bytes]], answers: _Answers) -> None:
    while True:
        item, body = await ready.get()
        outcome = await sender.send(item[1], item[2], body, item[6])
        answers.put((item[0], outcome.status, outcome.retry_after, outcome.error, True))


class _Answers:
    """Answers written back together, at most FLUSH_SECONDS after the first: a frame (and a wake-up of the
    worker) per few dozen answers rather than per answer, and never much later than the push service's."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.waiting: list[Answer] = []

    def put(self, answer: Answer) -> None:
        if not self.waiting:
            asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush)
        self.waiting.append(answer)

    def _flush(self) -> None:
        waiting, self.waiting = self.waiting, []
        if not self.writer.is_closing():
            self.writer.write(_frame(waiting))


# ---- in the worker -------------------------------------------------------------------------------------
class Handover:
    """One batch handed to the helpers: each answer goes to `on_answer` as it arrives; awaiting `finished`
    returns the items whose helper ended before answering (the caller sends those itself)."""

    def __init__(self, count: int, on_answer: Callable[[int, Outcome], None]) -> None:
        self.remaining = count
        self.on_answer = on_answer
        self.orphans: list[Item] = []
        self.finished: asyncio.Future[list[Item]] = asyncio.get_running_loop().create_future()
        if not count:
            self.finished.set_result([])

    def answer(self, delivery_id: int, outcome: Outcome) -> None:
        if self.finished.done():
            return  # the batch stopped waiting (cancelled): its rows were released, and will be sent again
        self.on_answer(delivery_id, outcome)
        self._count_down()

    def orphan(self, item: Item) -> None:
        if not self.finished.done():
            self.orphans.append(item)
            self._count_down()

    def _count_down(self) -> None:
        self.remaining -= 1
        if not self.remaining:
            self.finished.set_result(self.orphans)


@dataclass
class _Helper:
    process: multiprocessing.process.BaseProcess
    writer: asyncio.StreamWriter
    reading: asyncio.Task[None] | None = None
    waiting: dict[int, tuple[Handover, Item]] = field(default_factory=dict)

    @property
    def alive(self) -> bool:
        return self.reading is not None and not self.reading.done()


class SenderPool:
    """The worker's helper processes: started by `start()` (or at the first big batch), kept until `close()`."""

    def __init__(self, processes: int, *, timeout: float = REQUEST_TIMEOUT) -> None:
        self.processes = processes
        self.timeout = timeout
        # The per-origin bound is shared out: all helpers together keep to the sender's PER_ORIGIN.
        self.per_origin = max(1, PER_ORIGIN // max(1, processes))
        self._helpers: list[_Helper] = []
        self._starting: asyncio.Lock | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> SenderPool:
        """The pool `LIAISON_PUSH_PROCESSES` asks for (auto: one helper per core)."""
        return cls(auto_processes() if settings.push_processes is None else settings.push_processes)

    def wanted(self, count: int) -> bool:
        return self.processes > 0 and count >= POOL_MIN

    @property
    def pids(self) -> list[int]:
        """The running helpers' process ids (for logs and operators)."""
        return [h.process.pid for h in self._helpers if h.alive and h.process.pid is not None]

    async def start(self) -> None:
        """Starts the helpers that are not running (a spawned process takes about a second to import)."""
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            self._helpers = [h for h in self._helpers if h.alive]
            missing = self.processes - len(self._helpers)
            if missing > 0:
                started = await asyncio.gather(*(self._spawn() for _ in range(missing)))
                self._helpers.extend(started)

    async def _spawn(self) -> _Helper:
        ours, theirs = socket.socketpair()
        # spawn: a fork of a process running an event loop, threads and open sockets is not safe.
        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=helper_main, args=(theirs, self.per_origin, self.timeout), name="liaison-push-sender", daemon=True
        )
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, process.start)
        theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        helper = _Helper(process, writer)
        helper.reading = asyncio.create_task(self._read(helper, reader), name="liaison-push-sender-answers")
        return helper

    async def _read(self, helper: _Helper, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                for delivery_id, status, retry_after, error, sent in await _read_frame(reader):
                    waiting = helper.waiting.pop(delivery_id, None)
                    if waiting is not None:
                        waiting[0].answer(delivery_id, Outcome(status, retry_after, error, sent))
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError) as exc:
            if helper.waiting:
                log.error(
                    "push sender helper %s ended with %d pushes unanswered (%r)",
                    helper.process.pid,
                    len(helper.waiting),
                    exc,
                )
        finally:
            waiting, helper.waiting = helper.waiting, {}
            for handover, item in waiting.values():
                handover.orphan(item)
            helper.writer.close()

    async def hand_over(self, items: Sequence[Item], on_answer: Callable[[int, Outcome], None]) -> Handover:
        """Sends `items` through the helpers, in chunks to the least busy; answers go to `on_answer`."""
        if len(self._helpers) < self.processes or not all(h.alive for h in self._helpers):
            await self.start()
        handover = Handover(len(items), on_answer)
        for start in range(0, len(items), CHUNK):
            chunk = list(items[start : start + CHUNK])
            helper = min(self._helpers, key=lambda h: len(h.waiting))
            for item in chunk:
                helper.waiting[item[0]] = (handover, item)
            helper.writer.write(_frame(chunk))
        return handover

    def close(self) -> None:
        """Stops the helpers at once: what they still had in flight is pending in the database, sent again."""
        helpers, self._helpers = self._helpers, []
        for helper in helpers:
            helper.writer.close()
            if helper.reading is not None:
                helper.reading.cancel()
            helper.process.terminate()
        for helper in helpers:
            helper.process.join(2)
            if helper.process.is_alive():
                helper.process.kill()
                helper.process.join(1)
