"""Bearer-token authentication for /api, built on Litestar's authentication middleware."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from liaison.auth.secrets import digest

# The schema is public; other public handlers (PWA, health, login…) opt out with opt={"exclude_from_auth": True}.
PUBLIC_PATHS = [r"^/schema"]


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
            principal = await state.token_lookup.principal(token_hash)
            if principal is None:
                raise NotAuthorizedException("This sign-in is no longer valid: sign in or enroll again.")
            state.token_cache.put(token_hash, principal)
        return AuthenticationResult(user=principal, auth=token_hash)
