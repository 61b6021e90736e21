"""Role guards: plain functions Litestar runs before a handler."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def allow(*roles: str) -> Guard:
    """Only callers whose role is one of `roles` pass; others get 403."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.user.role not in allowed:
            raise PermissionDeniedException(f"Your role ({connection.user.role}) may not do this.")

    guard.__name__ = "allow_" + "_".join(sorted(allowed))
    return guard


coordinators = allow("coordinator", "admin")
desk_or_coordinators = allow("desk", "coordinator", "admin")
people_readers = allow("desk", "coordinator", "admin", "delegation_lead")
admins = allow("admin")
