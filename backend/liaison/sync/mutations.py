"""Applying a batch of offline mutations: each client mutation id once, in the order sent, each answered.

One transaction per batch; the sync version is taken first (on SQLite this also opens the transaction
before any SAVEPOINT, which the sqlite3 driver would otherwise treat as the outermost transaction). Each
mutation runs in its own savepoint: a rejected one is rolled back alone and the rest go on. The
idempotency record is written in that savepoint too, so the effect and the record commit together or not
at all; on PostgreSQL a per-client advisory lock makes two overlapping batches of one phone (a retry
racing the original) apply one after the other, so the second sees the first's records as duplicates.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import msgspec
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.database import utcnow
from liaison.errors import DomainError
from liaison.sync import messages as msg
from liaison.sync.messages import say
from liaison.sync.models import SyncMutation
from liaison.sync.registry import MUTATIONS
from liaison.sync.schemas import MutationBatchIn, MutationIn, MutationResult
from liaison.sync.versioning import transaction_version


def _lock_key(client_id: str) -> int:
    """A signed 64-bit advisory-lock key for one client's batches."""
    return int.from_bytes(hashlib.blake2b(client_id.encode(), digest_size=8).digest(), "big", signed=True)


def _duplicate(record: SyncMutation, principal: Principal) -> MutationResult:
    if record.user_id != principal.user_id:
        return MutationResult(
            id=record.id,
            status="rejected",
            error=say(principal.locale, msg.ID_TAKEN),
            reason="id_taken",
        )
    # The first answer may have been lost with the connection: say again how the original ended.
    return MutationResult(
        id=record.id,
        status="duplicate",
        error=record.error,
        reason="original_rejected" if record.status == "rejected" else None,
        result=record.result,
    )


async def apply_batch(session: AsyncSession, principal: Principal, batch: MutationBatchIn) -> list[MutationResult]:
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(batch.client_id)})
    ids = list({m.id for m in batch.mutations})
    known: dict[uuid.UUID, SyncMutation] = {}
    if ids:
        rows = await session.execute(select(SyncMutation).where(SyncMutation.id.in_(ids)))
        known = {r.id: r for r in rows.scalars()}
    if any(m.id not in known for m in batch.mutations):
        await transaction_version(session)
    results: list[MutationResult] = []
    received_at = utcnow()
    for item in batch.mutations:
        record = known.get(item.id)
        if record is not None:
            results.append(_duplicate(record, principal))
            continue
        result, record = await _apply_one(session, principal, batch.client_id, item, received_at)
        known[item.id] = record
        results.append(result)
    await session.commit()
    return results


async def _apply_one(
    session: AsyncSession, principal: Principal, client_id: str, item: MutationIn, received_at: Any
) -> tuple[MutationResult, SyncMutation]:
    outcome: dict[str, Any] | None = None
    error: str | None = None
    reason: str | None = None
    handler = MUTATIONS.get(item.name)
    if item.occurred_at.tzinfo is None:
        error, reason = say(principal.locale, msg.NAIVE_TIME), "naive_time"
    elif handler is None:
        known = ", ".join(sorted(MUTATIONS))
        error, reason = (
            say(principal.locale, msg.UNKNOWN_MUTATION, name=repr(item.name), known=known),
            "unknown_mutation",
        )
    else:
        try:
            async with session.begin_nested():
                raw = await handler(session, principal, dict(item.args), item.occurred_at)
                outcome = msgspec.to_builtins(raw) if raw is not None else None
                record = _record(principal, client_id, item, received_at, "applied", None, outcome)
                session.add(record)
                await session.flush()
            return MutationResult(id=item.id, status="applied", result=outcome), record
        except DomainError as exc:
            error, reason = exc.detail, str(exc.extra.get("reason") or exc.kind)
        except IntegrityError:
            # Another transaction recorded this id first (it waited for that one to commit): a duplicate.
            existing = await session.get(SyncMutation, item.id, populate_existing=True)
            if existing is not None:
                return _duplicate(existing, principal), existing
            raise
    record = _record(principal, client_id, item, received_at, "rejected", error, None)
    async with session.begin_nested():
        session.add(record)
        await session.flush()
    return MutationResult(id=item.id, status="rejected", error=error, reason=reason), record


def _record(
    principal: Principal,
    client_id: str,
    item: MutationIn,
    received_at: Any,
    status: str,
    error: str | None,
    result: dict[str, Any] | None,
) -> SyncMutation:
    return SyncMutation(
        id=item.id,
        client_id=client_id,
        user_id=principal.user_id,
        name=item.name,
        args=msgspec.to_builtins(item.args),
        status=status,
        error=error,
        result=result,
        occurred_at=item.occurred_at if item.occurred_at.tzinfo is not None else received_at,
        received_at=received_at,
    )
