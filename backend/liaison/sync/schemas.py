"""What the sync endpoints read and return."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from liaison.sync.registry import SyncChange

MAX_BATCH = 500


class PullOut(msgspec.Struct):
    cursor: str
    changes: list[SyncChange]
    more: bool
    # True when the device's cursor could not be continued (another account, a rebuilt server):
    # drop what is stored locally and take this snapshot instead.
    reset: bool = False


class MutationIn(msgspec.Struct):
    id: uuid.UUID
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    occurred_at: datetime
    args: dict[str, Any] = {}


class MutationBatchIn(msgspec.Struct):
    # Opaque per-install id chosen by the client (a UUID in the PWA, a desk name in scripts).
    client_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    mutations: Annotated[list[MutationIn], msgspec.Meta(max_length=MAX_BATCH)]


class MutationResult(msgspec.Struct, omit_defaults=True):
    id: uuid.UUID
    status: Literal["applied", "duplicate", "rejected"]
    error: str | None = None
    # Machine-readable cause of a rejection (e.g. "unassigned", "unknown_mutation").
    reason: str | None = None
    result: dict[str, Any] | None = None


class MutationBatchOut(msgspec.Struct):
    results: list[MutationResult]
