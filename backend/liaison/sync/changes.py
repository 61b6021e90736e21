"""Helpers pull sources share: version ranges, keyset pages and the caller's tombstones."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from liaison.sync.registry import PAGE_ORDER, PageKey, SyncChange
from liaison.sync.versioning import Tombstone


def in_range(version: Any, after: int, upto: int) -> ColumnElement[bool]:
    return and_(version > after, version <= upto)


def after_key(version: Any, row_id: Any, start: PageKey | None, *, uuid_ids: bool = True) -> ColumnElement[bool]:
    """Rows after `start` in (version, id) order; ids compare as UUIDs (hex order) or as text."""
    if start is None:
        return and_(True)
    start_version, start_id = start
    key_id: object = uuid.UUID(start_id) if uuid_ids else start_id
    return or_(version > start_version, and_(version == start_version, row_id > key_id))


async def tombstone_changes(
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: str,
    after: int,
    upto: int,
    start: PageKey | None,
    limit: int,
) -> list[SyncChange]:
    """Rows of `entity` this person lost sight of in (after, upto]; none in a snapshot (nothing to delete)."""
    if after == 0:
        return []
    rows = await session.execute(
        select(Tombstone.entity_id, Tombstone.version)
        .where(
            Tombstone.user_id == str(user_id),
            Tombstone.entity == entity,
            in_range(Tombstone.version, after, upto),
            after_key(Tombstone.version, Tombstone.entity_id, start, uuid_ids=False),
        )
        .order_by(Tombstone.version, Tombstone.entity_id)
        .limit(limit)
    )
    return [SyncChange(entity=entity, id=r.entity_id, op="delete", data=None, version=r.version) for r in rows]


def merge(a: list[SyncChange], b: list[SyncChange], limit: int) -> list[SyncChange]:
    """Two (version, id)-sorted pages into one; the same row in both keeps only its latest change."""
    latest: dict[str, SyncChange] = {}
    for change in sorted([*a, *b], key=PAGE_ORDER):
        latest.pop(change.id, None)
        latest[change.id] = change
    return sorted(latest.values(), key=PAGE_ORDER)[:limit]
