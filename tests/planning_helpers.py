"""Helpers for the planning tests: shifts relative to the small world's, push jobs and tombstones read back."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.push.models import PushJob
from liaison.sync.versioning import Tombstone


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def make_shift(
    client: Any, world: Any, starts_at: datetime, hours: float = 8, headcount: int = 3, task: str = "Traffic liaison"
) -> dict[str, Any]:
    response = await client.post(
        "/api/shifts",
        json={
            "venue_id": str(world.venue.id),
            "starts_at": iso(starts_at),
            "ends_at": iso(starts_at + timedelta(hours=hours)),
            "task": task,
            "headcount": headcount,
            "contact_name": "Lieutenant Sophie Martin",
            "contact_phone": "+33 1 40 00 00 00",
        },
        headers=world.auth("coordinator"),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def assign(client: Any, world: Any, shift_id: uuid.UUID | str, officer_id: uuid.UUID | str) -> Any:
    return await client.post(
        f"/api/shifts/{shift_id}/assignments", json={"officer_id": str(officer_id)}, headers=world.auth("coordinator")
    )


async def push_jobs(db: AsyncSession, kind: str = "assignment") -> list[PushJob]:
    query = select(PushJob).where(PushJob.kind == kind).order_by(PushJob.id)
    rows = await db.execute(query.execution_options(populate_existing=True))
    return list(rows.scalars())


async def tombstones(db: AsyncSession) -> list[Tombstone]:
    query = select(Tombstone).order_by(Tombstone.id).execution_options(populate_existing=True)
    return list((await db.execute(query)).scalars())
