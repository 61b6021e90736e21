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
    """What `PushSubscription.toJSON()` gives in the browser (`expirationTime` is accepted and not needed)."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
    keys: SubscriptionKeys
    expirationTime: int | None = None


class SubscriptionRef(msgspec.Struct):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class SubscriptionOut(msgspec.Struct):
    id: uuid.UUID
    endpoint: str
    origin: str
    device_id: uuid.UUID
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
