"""Push endpoints: the VAPID public key, a device's subscription, and the delivery report."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, QueryParameter

from liaison.auth.guards import coordinators
from liaison.auth.principal import Principal
from liaison.deps import AppSettings, DbSession
from liaison.push import report, subscriptions
from liaison.push.models import PushSubscription
from liaison.push.schemas import DeliveryReport, SubscriptionIn, SubscriptionOut, SubscriptionRef, VapidKeyOut
from liaison.push.vapid import load_or_create_key, public_key_b64

Kind = Annotated[str, QueryParameter(pattern=r"^(alert_level|assignment|notice|briefing|reminder)$")]
RefId = Annotated[str, QueryParameter(min_length=1, max_length=64)]


def _out(sub: PushSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=sub.id,
        endpoint=sub.endpoint,
        origin=sub.origin,
        device_id=sub.device_id,
        p256dh=sub.p256dh,
        created_at=sub.created_at,
        updated_at=sub.updated_at,
    )


class PushController(Controller):
    path = "/api/push"
    tags = ["push"]

    @get("/vapid-public-key", opt={"exclude_from_auth": True}, summary="The server's VAPID public key")
    async def vapid_public_key(self, settings: AppSettings) -> VapidKeyOut:
        return VapidKeyOut(public_key=public_key_b64(load_or_create_key(settings)))

    @post("/subscriptions", status_code=201, summary="Subscribe this device to push notifications")
    async def subscribe(
        self,
        data: JSONBody[SubscriptionIn],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> SubscriptionOut:
        sub = await subscriptions.subscribe(
            db_session,
            data,
            user_id=request.user.user_id,
            device_id=request.user.device_id,
            allowed=settings.push_allowed_origins,
        )
        return _out(sub)

    @get(
        "/subscriptions/current",
        summary="This device's push subscription as the server holds it (404 when there is none)",
    )
    async def current_subscription(
        self, request: Request[Principal, str, object], db_session: DbSession
    ) -> SubscriptionOut:
        return _out(await subscriptions.current(db_session, device_id=request.user.device_id))

    @delete("/subscriptions", status_code=204, summary="Stop push notifications to this endpoint")
    async def unsubscribe(
        self, data: JSONBody[SubscriptionRef], request: Request[Principal, str, object], db_session: DbSession
    ) -> None:
        await subscriptions.unsubscribe(db_session, data.endpoint, user_id=request.user.user_id)

    @get("/report", guards=[coordinators], summary="How many devices a push reached")
    async def delivery_report(self, kind: Kind, ref_id: RefId, db_session: DbSession) -> DeliveryReport:
        return await report.delivery_report(db_session, kind, ref_id)
