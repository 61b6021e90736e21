"""GET /api/sync (pull, with ETag / 304) and POST /api/sync/mutations (offline actions, applied once).

The pull handler opens a database session only when it must: an unchanged poll (If-None-Match naming
the caller's own cursor, and the process's clock index showing nothing committed since the caller's pull
was last found empty) is answered 304 from memory by a route middleware, before parameter parsing and
dependency injection; authentication comes from the token cache. When the clock has moved, only the
versions committed since the pull was last found empty are checked.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.types import ASGIApp, Receive, Scope, Send

from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.errors import Invalid
from liaison.sync.clock_index import ClockIndex, EmptyMemo
from liaison.sync.cursor import decode, etag_for, scope_of
from liaison.sync.mutations import apply_batch
from liaison.sync.pull import PAGE_SIZE, has_changes, pull, read_clock
from liaison.sync.schemas import MutationBatchIn, MutationBatchOut, PullOut
from liaison.sync.snapshots import takes

_encode = msgspec.json.Encoder().encode
_NO_STORE = "private, no-cache"


def _not_modified(etag: str) -> Response[bytes]:
    return Response(b"", status_code=304, headers={"ETag": etag, "Cache-Control": _NO_STORE})


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _answered_from_memory(state: Any, principal: Principal, cursor: str) -> bool:
    """Nothing new for this complete cursor, known without the database (see clock_index)."""
    try:
        parsed = decode(cursor)
    except Invalid:
        return False
    scope = scope_of(principal)
    if not parsed.complete or parsed.scope != scope:
        return False
    index: ClockIndex = state.sync_index
    known_empty = max(parsed.after, state.sync_memo.get((scope, parsed.after)) or 0)
    return parsed.after <= index.value <= known_empty


def unchanged_poll_fast_path(app: ASGIApp) -> ASGIApp:
    """Answers an unchanged poll 304 before parameter parsing and dependency injection: it is most of the
    traffic (every open app polls), and the handler's machinery costs more than the check itself."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            if_none_match = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
            if if_none_match is not None:
                cursor = parse_qs(scope["query_string"].decode("latin-1")).get("cursor", [None])[0]
                if cursor is not None and _etag_matches(if_none_match.decode("latin-1"), etag_for(cursor)):
                    state = scope["app"].state
                    if _answered_from_memory(state, scope["user"], cursor):
                        await _send_304(send, etag_for(cursor))
                        return
        await app(scope, receive, send)

    return middleware


async def _send_304(send: Send, etag: str) -> None:
    headers = [(b"etag", etag.encode("latin-1")), (b"cache-control", _NO_STORE.encode())]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    @get(
        "/",
        summary="Changes the caller may see since its cursor (no cursor: everything), paged",
        description=(
            "Send back `cursor` from the previous answer; keep pulling while `more` is true. The ETag names the "
            "state the device reaches by applying the answer: send it as If-None-Match with that cursor and an "
            "unchanged state is answered 304 without a body. `reset: true` means: drop the local copy first."
        ),
        middleware=[unchanged_poll_fast_path],
    )
    async def pull(
        self,
        request: Request[Principal, str, object],
        cursor: Annotated[str | None, QueryParameter(max_length=512, description="Opaque, from the last pull")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_SIZE, description="Changes per page at most")] = PAGE_SIZE,
    ) -> Response[bytes]:
        state = request.app.state
        principal = request.user
        if_none_match = request.headers.get("if-none-match")
        watch = cursor is not None and _etag_matches(if_none_match, etag_for(cursor))
        if watch:
            answer = await self._unchanged(request, cursor)  # type: ignore[arg-type]
            if answer is not None:
                return answer
        kept = state.first_pulls.next_page(principal, cursor, limit) if cursor is not None else None
        if kept is not None:
            out, clock = kept
        elif takes(principal, cursor):
            out, clock = await state.first_pulls.page(principal, limit)
        else:
            async with state.sync_reader() as session:
                out, clock = await pull(session, principal, cursor, limit)
        if watch and not out.changes and not out.more and out.cursor == cursor:
            state.sync_memo.put((scope_of(principal), decode(cursor).after), clock)  # type: ignore[arg-type]
            return _not_modified(etag_for(cursor))  # type: ignore[arg-type]
        return Response(
            _encode(out),
            media_type=MediaType.JSON,
            headers={"ETag": etag_for(out.cursor), "Cache-Control": _NO_STORE},
        )

    async def _unchanged(self, request: Request[Principal, str, object], cursor: str) -> Response[bytes] | None:
        """304 when nothing is new for this complete cursor: from memory if the clock has not moved since."""
        parsed = decode(cursor)
        scope = scope_of(request.user)
        if not parsed.complete or parsed.scope != scope:
            return None
        memo: EmptyMemo = request.app.state.sync_memo
        if _answered_from_memory(request.app.state, request.user, cursor):
            return _not_modified(etag_for(cursor))
        known_empty = max(parsed.after, memo.get((scope, parsed.after)) or 0)
        # The clock moved: look only at what committed since the pull was last found empty.
        async with request.app.state.sync_reader() as session:
            clock = await read_clock(session)
            if clock < parsed.after or await has_changes(session, request.user, known_empty, clock):
                return None
        memo.put((scope, parsed.after), clock)
        return _not_modified(etag_for(cursor))

    @post(
        "/mutations",
        status_code=200,
        summary="Apply a batch of offline actions, each once, in order; one result per action",
    )
    async def mutations(
        self, data: JSONBody[MutationBatchIn], request: Request[Principal, str, object], db_session: DbSession
    ) -> MutationBatchOut:
        results = await apply_batch(db_session, request.user, data)
        if any(r.status == "applied" for r, m in zip(results, data.mutations, strict=True) if m.name.startswith("me.")):
            # The cached sign-in carries the account's language: refresh it.
            request.app.state.token_cache.forget_user(request.user.user_id)
        return MutationBatchOut(results=results)


__all__ = ["PullOut", "SyncController"]
