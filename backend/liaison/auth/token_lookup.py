"""Whose device a bearer token is: every token asked for at once answered by one query.

A token this process has not checked yet (first request after a start, or after `token_cache_seconds`) costs
a database read; after a mass reconnect, thousands arrive together, and one read for a few hundred of them
costs about what one costs alone (see coalesce.py). Devices last seen long ago get their mark in one UPDATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.auth.models import Device
from liaison.auth.principal import Principal
from liaison.coalesce import Coalescer
from liaison.database import utcnow
from liaison.hot_reads import PerDialect, any_of, core_rows
from liaison.officers.models import User, display_name

SEEN_EVERY = timedelta(minutes=10)  # how fresh `last_seen_at` is kept: a write per device per ten minutes at most

_SIGN_INS = PerDialect(
    lambda dialect: (
        select(
            Device.token_hash,
            Device.id,
            Device.expires_at,
            Device.revoked_at,
            Device.last_seen_at,
            User.id.label("user_id"),
            User.role,
            User.country_code,
            User.locale,
            User.first_name,
            User.last_name,
            User.deleted_at,
        )
        .join(User, User.id == Device.user_id)
        .where(any_of(Device.token_hash, "hashes", dialect))
    )
)


class TokenLookup:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """`sessionmaker`: bound to an AUTOCOMMIT engine (a read and a rare UPDATE, no transaction needed)."""
        self._sessionmaker = sessionmaker
        self._batches: Coalescer[str, Principal | None] = Coalescer(self._load, max_batch=500)

    async def principal(self, token_hash: str) -> Principal | None:
        """The valid sign-in holding this token; None for an unknown, expired or revoked one."""
        return await self._batches.get(token_hash)

    async def _load(self, hashes: Sequence[str]) -> dict[str, Principal | None]:
        now = utcnow()
        found: dict[str, Principal | None] = dict.fromkeys(hashes)
        stale = []
        async with self._sessionmaker() as session:
            for row in await core_rows(session, _SIGN_INS(session), {"hashes": list(hashes)}):
                if row.revoked_at is not None or row.expires_at <= now or row.deleted_at is not None:
                    continue
                if row.last_seen_at is None or now - row.last_seen_at > SEEN_EVERY:
                    stale.append(row.id)
                found[row.token_hash] = Principal(
                    user_id=row.user_id,
                    device_id=row.id,
                    role=row.role,
                    country=row.country_code,
                    locale=row.locale,
                    name=display_name(row.first_name, row.last_name, row.country_code),
                )
            if stale:
                await session.execute(update(Device).where(Device.id.in_(stale)).values(last_seen_at=now))
                await session.commit()
        return found
