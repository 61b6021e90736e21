"""Push API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

B64Key = Annotated[str, msgspec.Meta(min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_\-]+=*$")]


class SubscriptionKeys(msgspec.Struct):
    p256dh: B64Key
    auth: Annotated[str, msgspec.Meta(min_length=16, max_length=40, pattern=r"^[A-Za-z0-9_\-]+=*$")]


class SubscriptionIn(msgspec.Struct):
    """What `PushSubscription.toJSON()` gives in the browser (`expirationTime` is accepted and not needed).

    `old_endpoint`: the subscription this one renews (the browser replaced it, its key changed, it expired):
    removed in the same transaction, when it belongs to the caller, so nothing is pushed to it any more.
    """

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
    keys: SubscriptionKeys
    expirationTime: float | None = None
    old_endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)] | None = None


class SubscriptionRef(msgspec.Struct):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class SubscriptionOut(msgspec.Struct):
    id: uuid.UUID
    endpoint: str
    origin: str
    device_id: uuid.UUID
    # The browser's key as the server holds it: a different one in the browser means re-send the subscription.
    p256dh: str
    created_at: datetime
    updated_at: datetime


class VapidKeyOut(msgspec.Struct):
    public_key: str


class DeliveryReport(msgspec.Struct):
    kind: str
    ref_id: str
    pushes: int
    targeted: int
    delivered: int
    failed: int
    gone: int
    pending: int
    first_queued_at: datetime | None
    last_delivered_at: datetime | None
