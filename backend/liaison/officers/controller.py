"""The officers list for desks, coordinators and delegation leads."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, Request, get
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, QueryParameter

from liaison.auth.guards import people_readers
from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.officers import service
from liaison.officers.schemas import OfficerOut, officer_out
from liaison.pagination import Limit, Offset, page


class OfficersController(Controller):
    path = "/api/officers"
    tags = ["officers"]
    guards = [people_readers]

    @get("/", summary="Officers the caller may see (a delegation lead: its own country)")
    async def list_officers(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
        country: Annotated[str | None, QueryParameter(min_length=2, max_length=2, description="ISO 3166 code")] = None,
        q: Annotated[
            str | None, QueryParameter(max_length=100, description="Part of a name, e-mail or accreditation id")
        ] = None,
        status: FromQuery[Literal["expected", "arrived", "departed"] | None] = None,
        language: Annotated[
            str | None,
            QueryParameter(
                min_length=2,
                max_length=16,
                pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$",
                description="A language the officer speaks (ISO 639 code, e.g. de; a region is ignored)",
            ),
        ] = None,
    ) -> OffsetPagination[OfficerOut]:
        rows, total = await service.search(
            db_session,
            request.user,
            country=country,
            q=q,
            status=status,
            limit=limit,
            offset=offset,
            language=language,
        )
        return page([officer_out(u) for u in rows], limit=limit, offset=offset, total=total)

    @get("/{officer_id:uuid}", summary="One officer")
    async def get_officer(
        self, officer_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> OfficerOut:
        return officer_out(await service.get_visible(db_session, request.user, officer_id))
