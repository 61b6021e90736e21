"""Encrypting a big batch's pushes in helper processes, so that one worker process uses more than one core.

RFC 8291 encryption (a fresh ECDH key per push) is about half a push's CPU. On SQLite there is one worker,
inside the API process: without helpers a broadcast to 80,000 phones is bound to one core. The helpers run
the very same `encrypt`; a batch goes to them in chunks, and each push is sent as soon as its chunk is back.
Small batches (an assignment change, a reminder) are encrypted in the worker: the round trip would cost more.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from liaison.push.sender import encrypt

POOL_MIN = 64  # pushes in a batch before helpers are worth their round trip
CHUNK = 50  # pushes per round trip: a few ms of work, so the first pushes leave early

Item = tuple[bytes, str, str]  # payload, p256dh, auth


def auto_processes(is_sqlite: bool) -> int:
    """SQLite's one worker takes helpers on the other cores; on PostgreSQL, scale out with `liaison worker`."""
    return min(4, (os.cpu_count() or 1) - 1) if is_sqlite else 0


def encrypt_chunk(items: Sequence[Item]) -> list[bytes | str]:
    """Each push's body, or (a str) why it could not be encrypted: one bad subscription spoils nothing else."""
    out: list[bytes | str] = []
    for payload, p256dh, auth in items:
        try:
            out.append(encrypt(payload, p256dh, auth))
        except Exception as exc:
            out.append(f"cannot encrypt: {type(exc).__name__}: {exc}"[:200])
    return out


class EncryptionPool:
    """Helper processes, started at the first big batch and kept for the next ones."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def wanted(self, count: int) -> bool:
        return self.processes > 0 and count >= POOL_MIN

    def submit(self, items: Sequence[Item]) -> list[asyncio.Future[list[bytes | str]]]:
        """One future per CHUNK of `items`, in order."""
        if self._executor is None:
            # spawn: a fork of a process running an event loop, threads and open sockets is not safe.
            self._executor = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"))
        loop = asyncio.get_running_loop()
        return [
            loop.run_in_executor(self._executor, encrypt_chunk, items[start : start + CHUNK])
            for start in range(0, len(items), CHUNK)
        ]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
