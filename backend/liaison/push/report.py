"""Delivery report for coordinators: how many devices a push reached."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.push.models import PushDelivery, PushJob
from liaison.push.schemas import DeliveryReport


async def delivery_report(session: AsyncSession, kind: str, ref_id: str) -> DeliveryReport:
    jobs = (
        await session.execute(
            select(func.count(PushJob.id), func.min(PushJob.created_at)).where(
                PushJob.kind == kind, PushJob.ref_id == ref_id
            )
        )
    ).one()
    rows = await session.execute(
        select(PushDelivery.status, func.count(PushDelivery.id))
        .join(PushJob, PushJob.id == PushDelivery.job_id)
        .where(PushJob.kind == kind, PushJob.ref_id == ref_id)
        .group_by(PushDelivery.status)
    )
    counts: dict[str, int] = {status: n for status, n in rows}
    last = await session.scalar(
        select(func.max(PushDelivery.updated_at))
        .join(PushJob, PushJob.id == PushDelivery.job_id)
        .where(PushJob.kind == kind, PushJob.ref_id == ref_id, PushDelivery.status == "delivered")
    )
    return DeliveryReport(
        kind=kind,
        ref_id=ref_id,
        pushes=jobs[0],
        targeted=sum(counts.values()),
        delivered=counts.get("delivered", 0),
        failed=counts.get("failed", 0),
        gone=counts.get("gone", 0),
        pending=counts.get("pending", 0),
        first_queued_at=jobs[1],
        last_delivered_at=last,
    )
