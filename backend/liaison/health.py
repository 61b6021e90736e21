"""Liveness and database reachability, for load balancers and `docker compose`."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from sqlalchemy import text

from liaison import __version__


@get("/health", opt={"exclude_from_auth": True}, tags=["health"], summary="Service and database health")
async def health(request: Request) -> Response[dict[str, Any]]:
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        return Response(
            {"status": "unavailable", "database": "unreachable", "detail": type(exc).__name__, "version": __version__},
            status_code=503,
        )
    return Response({"status": "ok", "database": "ok", "version": __version__})
