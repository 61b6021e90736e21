"""The participating countries, named in the caller's language."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get
from litestar.pagination import OffsetPagination
from sqlalchemy import func, select

from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.i18n.locales import caller_locale, country_name
from liaison.officers.models import Country, User
from liaison.pagination import Limit, Offset, page


class CountryOut(msgspec.Struct):
    code: str
    name: str
    languages: list[str]
    officers: int


class CountriesController(Controller):
    path = "/api/countries"
    tags = ["reference"]

    @get("/", summary="Participating countries")
    async def list_countries(
        self, request: Request[Principal, str, object], db_session: DbSession, limit: Limit = 50, offset: Offset = 0
    ) -> OffsetPagination[CountryOut]:
        lang = caller_locale(request)
        counts = dict(
            (
                await db_session.execute(
                    select(User.country_code, func.count()).where(User.deleted_at.is_(None)).group_by(User.country_code)
                )
            ).all()
        )
        countries = list((await db_session.execute(select(Country))).scalars())
        items = sorted(
            (
                CountryOut(c.code, country_name(c.code, lang), list(c.languages), counts.get(c.code, 0))
                for c in countries
            ),
            key=lambda c: c.name,
        )
        return page(items[offset : offset + limit], limit=limit, offset=offset, total=len(items))
