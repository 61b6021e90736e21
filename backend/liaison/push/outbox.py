"""Recording a push in the same transaction as the change it announces: a rollback sends nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from liaison.push import wake  # noqa: F401  (wakes the in-process worker after commit)
from liaison.push.models import PushJob

PushKind = Literal["alert_level", "assignment", "notice", "briefing", "reminder"]
Urgency = Literal["very-low", "low", "normal", "high"]


def enqueue_push(
    session: AsyncSession,
    *,
    kind: PushKind,
    ref_id: uuid.UUID | str,
    user_ids: Iterable[uuid.UUID | str] | None,
    urgency: Urgency = "normal",
    topic: str | None = None,
    ttl: int = 86400,
    params: dict[str, Any] | None = None,
) -> PushJob:
    """Adds a push job to the session; it is committed (or rolled back) with the caller's change."""
    if ttl <= 0:
        raise ValueError("a push TTL of 0 is never delivered to a sleeping phone")
    job = PushJob(
        kind=kind,
        ref_id=str(ref_id),
        user_ids=None if user_ids is None else sorted({str(u) for u in user_ids}),
        params=params or {},
        urgency=urgency,
        topic=topic,
        ttl=ttl,
    )
    session.add(job)
    return job
