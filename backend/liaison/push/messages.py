"""How each kind of push is worded, per subscriber language; domains register a renderer for their kinds.

    @renderer("notice")
    async def notice_text(session, job, locale) -> PushText | None: ...

Return None when there is nothing to say any more (the notice was cancelled before delivery).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.push.models import PushJob


class PushText(msgspec.Struct):
    title: str
    body: str
    url: str


Renderer = Callable[[AsyncSession, PushJob, str], Awaitable[PushText | None]]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn

    return register
