"""Request and response bodies of sign-in, enrollment and the caller's own account."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from liaison.officers.schemas import UserOut

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


class LoginIn(msgspec.Struct, forbid_unknown_fields=False):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class EnrollIn(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(min_length=4, max_length=64)]
    device_name: Annotated[str, msgspec.Meta(max_length=120)] | None = None


class TokenOut(msgspec.Struct):
    access_token: str
    expires_in: int
    user: UserOut
    token_type: str = "Bearer"
    device_id: uuid.UUID | None = None


class MePatch(msgspec.Struct):
    locale: Annotated[str, msgspec.Meta(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]


class EnrollmentOut(msgspec.Struct):
    code: str
    url: str
    expires_at: datetime
    officer_id: uuid.UUID


class DeviceOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    kind: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
