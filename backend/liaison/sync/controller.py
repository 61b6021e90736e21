"""GET /api/sync (pull, with ETag / 304) and POST /api/sync/mutations (offline actions, applied once).

The pull handler opens a database session only when it must: an unchanged poll (If-None-Match naming
the caller's own cursor, and the process's clock index showing nothing committed since the caller's pull
was last found empty) is answered 304 from memory; authentication comes from the token cache.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import JSONBody, QueryParameter

from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.sync.clock_index import ClockIndex, EmptyMemo
from liaison.sync.cursor import decode, etag_for, scope_of
from liaison.sync.mutations import apply_batch
from liaison.sync.pull import PAGE_SIZE, has_changes, pull, read_clock
from liaison.sync.schemas import MutationBatchIn, MutationBatchOut, PullOut

_encode = msgspec.json.Encoder().encode
_NO_STORE = "private, no-cache"


def _not_modified(etag: str) -> Response[bytes]:
    return Response(b"", status_code=304, headers={"ETag": etag, "Cache-Control": _NO_STORE})


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


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
        response_headers=None,
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
        async with state.sessionmaker() as session:
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
        index: ClockIndex = request.app.state.sync_index
        memo: EmptyMemo = request.app.state.sync_memo
        known_empty = max(parsed.after, memo.get((scope, parsed.after)) or 0)
        if 0 <= index.value <= known_empty and index.value >= parsed.after:
            return _not_modified(etag_for(cursor))
        # The clock moved: look only at what committed since the pull was last found empty.
        async with request.app.state.sessionmaker() as session:
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
