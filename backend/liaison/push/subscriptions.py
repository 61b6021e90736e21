"""Storing and removing the browsers' push subscriptions: one per signed-in device."""

from __future__ import annotations

import base64
import uuid

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.errors import Invalid, NotFound
from liaison.push.models import PushDelivery, PushSubscription
from liaison.push.origins import OriginRefused, check_endpoint
from liaison.push.schemas import SubscriptionIn


def _key_bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))


def _check_keys(data: SubscriptionIn) -> None:
    try:
        p256dh, auth = _key_bytes(data.keys.p256dh), _key_bytes(data.keys.auth)
    except ValueError:
        raise Invalid("keys are not base64url", errors=[{"field": "keys", "message": "not base64url"}]) from None
    if len(p256dh) != 65 or p256dh[0] != 4:
        raise Invalid(
            "keys.p256dh must be an uncompressed P-256 point",
            errors=[{"field": "keys.p256dh", "message": "expected 65 bytes starting with 0x04"}],
        )
    if len(auth) != 16:
        raise Invalid("keys.auth must be 16 bytes", errors=[{"field": "keys.auth", "message": "expected 16 bytes"}])


async def subscribe(
    session: AsyncSession, data: SubscriptionIn, *, user_id: uuid.UUID, device_id: uuid.UUID, allowed: tuple[str, ...]
) -> PushSubscription:
    """Creates or refreshes the subscription; the same endpoint re-posted (or a new one from the device) updates it."""
    try:
        origin = check_endpoint(data.endpoint, allowed)
    except OriginRefused as exc:
        raise Invalid(str(exc), errors=[{"field": "endpoint", "message": str(exc)}]) from None
    _check_keys(data)
    try:
        return await _upsert(session, data, origin, user_id, device_id)
    except IntegrityError:
        # The same browser posted twice at once (page reload during subscribe): the second one updates.
        await session.rollback()
        return await _upsert(session, data, origin, user_id, device_id)


async def _upsert(
    session: AsyncSession, data: SubscriptionIn, origin: str, user_id: uuid.UUID, device_id: uuid.UUID
) -> PushSubscription:
    replaced = [PushSubscription.endpoint == data.endpoint, PushSubscription.device_id == device_id]
    if data.old_endpoint and data.old_endpoint != data.endpoint:
        # Another user's endpoint is left alone: knowing an endpoint gives no right over it.
        replaced.append(and_(PushSubscription.endpoint == data.old_endpoint, PushSubscription.user_id == user_id))
    rows = (await session.scalars(select(PushSubscription).where(or_(*replaced)))).all()
    by_endpoint = next((r for r in rows if r.endpoint == data.endpoint), None)
    sub = by_endpoint or next((r for r in rows if r.device_id == device_id), None)
    replaced_ids = [other.id for other in rows if other is not sub]
    # Pushes still waiting for a replaced subscription (a retry after a 5xx, a batch not yet sent) go to the
    # new one instead of being lost with the old endpoint.
    waiting = await _pending_for(session, replaced_ids) if replaced_ids else []
    for other in rows:
        if other is not sub:
            await session.delete(other)
    await session.flush()
    if sub is None:
        sub = PushSubscription(id=uuid.uuid4())
        session.add(sub)
    sub.user_id, sub.device_id = user_id, device_id
    sub.endpoint, sub.origin = data.endpoint, origin
    sub.p256dh, sub.auth = data.keys.p256dh.rstrip("="), data.keys.auth.rstrip("=")
    await session.flush()
    if waiting:
        # Not a job this subscription already has a delivery for (one per job and subscription); looked up by
        # those jobs, so that the (job, subscription) index serves it.
        jobs = {job_id for _, job_id in waiting}
        already = set(
            (
                await session.scalars(
                    select(PushDelivery.job_id).where(
                        PushDelivery.job_id.in_(jobs), PushDelivery.subscription_id == sub.id
                    )
                )
            ).all()
        )
        moved = [delivery_id for delivery_id, job_id in waiting if job_id not in already]
        if moved:
            await session.execute(
                update(PushDelivery)
                .where(PushDelivery.id.in_(moved))
                .values(subscription_id=sub.id)
                .execution_options(synchronize_session=False)
            )
    await session.commit()
    return sub


async def _pending_for(session: AsyncSession, subscription_ids: list[uuid.UUID]) -> list[tuple[int, int]]:
    """(delivery id, job id) of what still waits for these subscriptions (read off the pending rows' index)."""
    query = select(PushDelivery.id, PushDelivery.job_id).where(
        PushDelivery.status == "pending", PushDelivery.subscription_id.in_(subscription_ids)
    )
    return [(row.id, row.job_id) for row in await session.execute(query)]


async def current(session: AsyncSession, *, device_id: uuid.UUID) -> PushSubscription:
    """The subscription the server holds for the calling device (the app compares it with the browser's)."""
    sub = await session.scalar(select(PushSubscription).where(PushSubscription.device_id == device_id))
    if sub is None:
        raise NotFound("This device has no push subscription.")
    return sub


async def unsubscribe(session: AsyncSession, endpoint: str, *, user_id: uuid.UUID) -> None:
    """Only the owner removes a subscription; an unknown endpoint is a 404."""
    result = await session.execute(
        delete(PushSubscription).where(PushSubscription.endpoint == endpoint, PushSubscription.user_id == user_id)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("No push subscription with this endpoint on your account.")
    await session.commit()
