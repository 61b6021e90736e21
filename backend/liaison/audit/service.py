"""Recording privileged actions, and reading them back for admins and coordinators.

Other domains call `record(session, actor, action, target, details)` inside the transaction of the action,
so the entry exists exactly when the action does (a rollback leaves no trace of what did not happen).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.audit.models import AuditEntry
from liaison.auth.principal import Principal
from liaison.database import utcnow
from liaison.officers.models import User

Actor = Principal | User | uuid.UUID | None
Target = tuple[str, uuid.UUID | str | int]


def _actor_fields(actor: Actor) -> dict[str, Any]:
    if isinstance(actor, Principal):
        return {"actor_id": actor.user_id, "actor_name": actor.name, "actor_role": actor.role}
    if isinstance(actor, User):
        return {"actor_id": actor.id, "actor_name": actor.name, "actor_role": actor.role}
    if isinstance(actor, uuid.UUID):
        return {"actor_id": actor, "actor_name": "", "actor_role": ""}
    # The system itself (a periodic check, the command line).
    return {"actor_id": None, "actor_name": "system", "actor_role": "system"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


async def record(
    session: AsyncSession, actor: Actor, action: str, target: Target, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Adds an audit entry to the caller's transaction (committed with the action, or not at all).

    `action` is a dotted verb ("alert_level.change", "notice.send", "assignment.create", "user.role_change",
    "device.revoke"); `target` is (type, id), e.g. ("notice", notice.id).
    """
    target_type, target_id = target
    entry = AuditEntry(
        at=utcnow(),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=_jsonable(details or {}),
        **_actor_fields(actor),
    )
    session.add(entry)
    await session.flush()
    return entry


def _filtered(
    action: str | None,
    actor_id: uuid.UUID | None,
    target_type: str | None,
    target_id: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[tuple[AuditEntry]]:
    query = select(AuditEntry)
    if action:
        # "notice" matches notice.send, notice.cancel…; "notice.send" matches exactly.
        query = query.where(AuditEntry.action == action if "." in action else AuditEntry.action.like(f"{action}.%"))
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id:
        query = query.where(AuditEntry.target_id == target_id)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    return query


async def search(
    session: AsyncSession,
    *,
    action: str | None = None,
    actor_id: uuid.UUID | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    query = _filtered(action, actor_id, target_type, target_id, since, until)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total
