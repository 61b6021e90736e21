"""Venues: reference data every signed-in person may read."""

from __future__ import annotations

import uuid
from typing import Literal

from litestar import Controller, get
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery
from sqlalchemy import func, select

from liaison.deps import DbSession
from liaison.errors import NotFound
from liaison.pagination import Limit, Offset, page
from liaison.venues.models import Venue
from liaison.venues.schemas import VenueOut, venue_out


class VenuesController(Controller):
    path = "/api/venues"
    tags = ["planning"]

    @get("/", summary="Venues")
    async def list_venues(
        self,
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
        kind: FromQuery[Literal["competition", "live_site", "base", "reception"] | None] = None,
    ) -> OffsetPagination[VenueOut]:
        query = select(Venue).where(Venue.deleted_at.is_(None))
        if kind:
            query = query.where(Venue.kind == kind)
        total = (await db_session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = await db_session.execute(query.order_by(Venue.name).limit(limit).offset(offset))
        return page([venue_out(v) for v in rows.scalars()], limit=limit, offset=offset, total=total)

    @get("/{venue_id:uuid}", summary="One venue")
    async def get_venue(self, venue_id: FromPath[uuid.UUID], db_session: DbSession) -> VenueOut:
        venue = await db_session.get(Venue, venue_id)
        if venue is None or venue.deleted_at is not None:
            raise NotFound(f"No venue {venue_id}.")
        return venue_out(venue)
