"""Waking the in-process worker when a transaction that queued pushes commits (polling remains the fallback)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from liaison.push.models import PushJob

_KEY = "liaison.push_queued"
_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def register(event_: asyncio.Event) -> None:
    _waiters.add((asyncio.get_running_loop(), event_))


def unregister(event_: asyncio.Event) -> None:
    for item in [w for w in _waiters if w[1] is event_]:
        _waiters.discard(item)


def notify() -> None:
    for loop, waiter in list(_waiters):
        # Commits may happen on another loop or thread (tests, CLI): hand the wake-up to the worker's loop.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(waiter.set)


@event.listens_for(Session, "before_flush")
def _note_jobs(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(obj, PushJob) for obj in session.new):
        session.info[_KEY] = True


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_KEY, False):
        notify()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
