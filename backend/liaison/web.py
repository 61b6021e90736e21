"""Serves the built PWA: its files as they are, and index.html for the app's own deep links (/join, /today…)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

# Hashed build output never changes under one name; everything else must be revalidated.
IMMUTABLE_PREFIX = "_app/immutable/"
NO_CACHE = {"cache-control": "no-cache"}
# Browsers refuse a service worker or a module script served as application/octet-stream, and the
# platform's MIME table may not know the web manifest: name the types the PWA needs.
MEDIA_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".webmanifest": "application/manifest+json"}


def _media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _resolve(root: Path, path: str) -> Path | None:
    candidate = (root / path.lstrip("/")).resolve()
    if root.resolve() not in candidate.parents and candidate != root.resolve():
        return None
    return candidate if candidate.is_file() else None


@get(["/", "/{path:path}"], opt={"exclude_from_auth": True}, include_in_schema=False, sync_to_thread=False)
def serve_pwa(request: Request, path: FromPath[str] = "") -> Response | File:
    root: Path = request.app.state.settings.static_dir
    rel = path.lstrip("/")
    if rel.startswith(("api/", "schema")):
        raise NotFoundException()
    found = _resolve(root, rel) if rel else None
    if found is not None:
        immutable = rel.startswith(IMMUTABLE_PREFIX)
        headers = {"cache-control": "public, max-age=31536000, immutable"} if immutable else dict(NO_CACHE)
        if rel in ("service-worker.js",):
            headers["service-worker-allowed"] = "/"
        return File(
            found,
            filename=found.name,
            media_type=_media_type(found),
            headers=headers,
            content_disposition_type="inline",
        )
    if "." in rel.rsplit("/", 1)[-1]:
        raise NotFoundException(f"No file {rel}.")
    index = root / "index.html"
    if not index.is_file():
        return Response(
            "The PWA is not built yet: run `make frontend` (make run does it for you).\n"
            "The API is under /api, its docs under /schema.",
            media_type="text/plain",
            status_code=503,
        )
    return File(
        index,
        filename="index.html",
        media_type="text/html",  # Litestar adds the charset itself
        headers=dict(NO_CACHE),
        content_disposition_type="inline",
    )
