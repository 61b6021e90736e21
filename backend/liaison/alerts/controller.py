"""GET/PUT /api/alert-level, its history, and ending a drill."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, put
from litestar.pagination import OffsetPagination
from litestar.params import JSONBody, QueryParameter

from liaison.alerts import service
from liaison.alerts.schemas import AlertChangeOut, AlertLevelIn, AlertLevelOut, ReachOut
from liaison.auth.guards import coordinators
from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.i18n.locales import ui_locale
from liaison.pagination import Limit, Offset, page


def _accept(request: Request[Principal, str, object]) -> str | None:
    return request.headers.get("accept-language")


class AlertLevelController(Controller):
    path = "/api/alert-level"
    tags = ["alert level"]

    @get("/", summary="The current alert level in the caller's language; a running exercise comes apart in `drill`")
    async def get_level(self, request: Request[Principal, str, object], db_session: DbSession) -> AlertLevelOut:
        return await service.get_view(db_session, request.user.locale, _accept(request))

    @put(
        "/",
        guards=[coordinators],
        summary="Change the alert level (or start an exercise with drill=true); every device is pushed",
    )
    async def put_level(
        self, data: JSONBody[AlertLevelIn], request: Request[Principal, str, object], db_session: DbSession
    ) -> AlertLevelOut:
        await service.change(db_session, request.user, data)
        return await service.get_view(db_session, request.user.locale, _accept(request))

    @delete("/drill", guards=[coordinators], status_code=200, summary="End the running exercise")
    async def end_drill(self, request: Request[Principal, str, object], db_session: DbSession) -> AlertLevelOut:
        await service.end_drill(db_session, request.user)
        return await service.get_view(db_session, request.user.locale, _accept(request))

    @get(
        "/reach", guards=[coordinators], summary="How many people and phones a change reaches (shown before confirming)"
    )
    async def reach(self, db_session: DbSession) -> ReachOut:
        return await service.reach(db_session)

    @get("/history", guards=[coordinators], summary="Changes, newest first: real ones, or exercises with drill=true")
    async def history(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
        drill: Annotated[bool, QueryParameter(description="true: the exercises instead of the real changes")] = False,
    ) -> OffsetPagination[AlertChangeOut]:
        lang = ui_locale(request.user.locale, _accept(request))
        items, total = await service.history(db_session, drill=drill, lang=lang, limit=limit, offset=offset)
        return page(items, limit=limit, offset=offset, total=total)
