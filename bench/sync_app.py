"""The real application, as `liaison serve` runs it, plus one bare JSON route: the yardstick the sync benchmark
compares against.

Served only by `bench/sync.py` (uvicorn --factory bench.sync_app:app); the product never registers it.
"""

from __future__ import annotations

from litestar import Litestar, get

from liaison.app import serve_app


@get("/bench/hello", opt={"exclude_from_auth": True}, sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "world"}


def app() -> Litestar:
    return serve_app(extra_handlers=[hello])
