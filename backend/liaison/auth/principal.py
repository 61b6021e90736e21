"""Who is calling: what the auth middleware puts on `request.user`."""

from __future__ import annotations

import uuid

import msgspec

STAFF_ROLES = frozenset({"desk", "coordinator", "admin"})


class Principal(msgspec.Struct, frozen=True):
    user_id: uuid.UUID
    device_id: uuid.UUID
    role: str
    country: str | None
    locale: str
    name: str

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def manages_all(self) -> bool:
        """Coordinators and admins see every country and venue."""
        return self.role in ("coordinator", "admin")
