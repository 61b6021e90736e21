"""GET /api/audit: who did what, newest first, for admins and coordinators."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter

from liaison.audit import service
from liaison.audit.models import AuditEntry
from liaison.auth.guards import coordinators
from liaison.deps import DbSession
from liaison.errors import Invalid
from liaison.pagination import Limit, Offset, page


class AuditEntryOut(msgspec.Struct):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    actor_role: str
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]


def entry_out(e: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=e.id,
        at=e.at,
        actor_id=e.actor_id,
        actor_name=e.actor_name,
        actor_role=e.actor_role,
        action=e.action,
        target_type=e.target_type,
        target_id=e.target_id,
        details=dict(e.details or {}),
    )


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]
    guards = [coordinators]

    @get("/", summary="The audit log of privileged actions, newest first (admins and coordinators)")
    async def list_entries(
        self,
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
        action: Annotated[
            str | None,
            QueryParameter(max_length=60, description="An action (notice.send) or its family (notice)"),
        ] = None,
        actor: Annotated[uuid.UUID | None, QueryParameter(description="Who acted (user id)")] = None,
        target_type: Annotated[str | None, QueryParameter(max_length=40, description="e.g. notice, device")] = None,
        target_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        since: Annotated[datetime | None, QueryParameter(name="from", description="At or after (with offset)")] = None,
        until: Annotated[datetime | None, QueryParameter(name="to", description="Before (with offset)")] = None,
    ) -> OffsetPagination[AuditEntryOut]:
        for name, value in (("from", since), ("to", until)):
            if value is not None and value.tzinfo is None:
                raise Invalid(f"{name} needs a UTC offset", errors=[{"field": name, "message": "add a UTC offset"}])
        rows, total = await service.search(
            db_session,
            action=action,
            actor_id=actor,
            target_type=target_type,
            target_id=target_id,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        )
        return page([entry_out(e) for e in rows], limit=limit, offset=offset, total=total)
