"""What a phone does with /api/sync: pull every page, keep a replica, send its outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar.testing import AsyncTestClient


async def pull_all(client: AsyncTestClient, headers: dict[str, str], cursor: str | None = None) -> dict[str, Any]:
    """Follow `more` to the end; returns the last cursor, every change in order and the page count."""
    changes: list[dict[str, Any]] = []
    pages = 0
    reset = False
    while True:
        params = {"cursor": cursor} if cursor else {}
        response = await client.get("/api/sync", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        reset = reset or body.get("reset", False)
        changes.extend(body["changes"])
        cursor = body["cursor"]
        if not body["more"]:
            return {
                "cursor": cursor,
                "changes": changes,
                "pages": pages,
                "etag": response.headers["etag"],
                "reset": reset,
            }


def apply(replica: dict[tuple[str, str], Any], changes: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    for change in changes:
        key = (change["entity"], change["id"])
        if change["op"] == "delete":
            replica.pop(key, None)
        else:
            replica[key] = change["data"]
    return replica


def entities(changes: list[dict[str, Any]], entity: str, op: str = "upsert") -> list[dict[str, Any]]:
    return [c for c in changes if c["entity"] == entity and c["op"] == op]


def mutation(name: str, args: dict[str, Any], occurred_at: datetime | None = None, id: str | None = None) -> dict:
    return {
        "id": id or str(uuid.uuid4()),
        "name": name,
        "args": args,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
    }
