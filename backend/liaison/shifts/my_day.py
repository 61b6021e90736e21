"""An officer's own assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from sqlalchemy import select

from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.errors import Invalid
from liaison.shifts.models import Assignment, Shift
from liaison.shifts.schemas import AssignmentOut, assignment_out
from liaison.venues.models import Venue


class MyAssignmentsController(Controller):
    path = "/api/me/assignments"
    tags = ["officers' day"]

    @get("/", summary="The caller's assignments, soonest first (a plain list, as the contract gives it)")
    async def my_assignments(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        from_: Annotated[datetime | None, QueryParameter(name="from", description="Shifts ending after this")] = None,
        to: Annotated[datetime | None, QueryParameter(description="Shifts starting before this")] = None,
    ) -> list[AssignmentOut]:
        for name, value in (("from", from_), ("to", to)):
            if value is not None and value.tzinfo is None:
                raise Invalid(f"{name} needs a UTC offset", errors=[{"field": name, "message": "add a UTC offset"}])
        query = (
            select(Assignment, Shift, Venue)
            .join(Shift, Shift.id == Assignment.shift_id)
            .join(Venue, Venue.id == Shift.venue_id)
            .where(
                Assignment.user_id == request.user.user_id, Assignment.deleted_at.is_(None), Shift.deleted_at.is_(None)
            )
        )
        if from_ is not None:
            query = query.where(Shift.ends_at > from_)
        if to is not None:
            query = query.where(Shift.starts_at < to)
        rows = await db_session.execute(query.order_by(Shift.starts_at))
        return [assignment_out(a, s, v) for a, s, v in rows.all()]
