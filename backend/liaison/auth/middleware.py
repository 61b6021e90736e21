"""Bearer-token authentication for /api, built on Litestar's authentication middleware."""

from __future__ import annotations

from datetime import timedelta

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import select, update

from liaison.auth.models import Device
from liaison.auth.principal import Principal
from liaison.auth.secrets import digest
from liaison.database import utcnow
from liaison.officers.models import User

# The schema is public; other public handlers (PWA, health, login…) opt out with opt={"exclude_from_auth": True}.
PUBLIC_PATHS = [r"^/schema"]
SEEN_EVERY = timedelta(minutes=10)


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("Sign in first: send Authorization: Bearer <token>.")
        token_hash = digest(token.strip())
        state = connection.app.state
        principal = state.token_cache.get(token_hash)
        if principal is None:
            principal = await _load(state, token_hash)
            state.token_cache.put(token_hash, principal)
        return AuthenticationResult(user=principal, auth=token_hash)


async def _load(state: object, token_hash: str) -> Principal:
    now = utcnow()
    # One statement per sign-in check (and a rare last-seen update): no BEGIN/ROLLBACK round trips around it,
    # which after a mass reconnect is most of what checking each phone's token costs.
    reader = getattr(state, "auth_reader", None)
    if reader is None:
        reader = state.auth_reader = state.engine.execution_options(isolation_level="AUTOCOMMIT")  # type: ignore[attr-defined]
    async with state.sessionmaker(bind=reader) as session:  # type: ignore[attr-defined]
        row = (
            await session.execute(
                select(Device.id, Device.expires_at, Device.revoked_at, Device.last_seen_at, User)
                .join(User, User.id == Device.user_id)
                .where(Device.token_hash == token_hash)
            )
        ).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now or row.User.deleted_at:
            raise NotAuthorizedException("This sign-in is no longer valid: sign in or enroll again.")
        if row.last_seen_at is None or now - row.last_seen_at > SEEN_EVERY:
            await session.execute(update(Device).where(Device.id == row.id).values(last_seen_at=now))
            await session.commit()
        user: User = row.User
        return Principal(
            user_id=user.id,
            device_id=row.id,
            role=user.role,
            country=user.country_code,
            locale=user.locale,
            name=user.name,
        )
