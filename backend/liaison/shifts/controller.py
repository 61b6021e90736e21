"""The planner's API: shifts, assignments (single, bulk, move) and their typed refusals."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from litestar import Controller, Request, delete, get, patch, post
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.guards import allow, coordinators
from liaison.auth.principal import Principal
from liaison.deps import AppSettings, DbSession
from liaison.errors import Invalid
from liaison.i18n.locales import caller_locale
from liaison.pagination import Limit, Offset, page
from liaison.shifts import planning
from liaison.shifts.planning_schemas import (
    AssignIn,
    BulkAssignIn,
    BulkOut,
    CheckIn,
    CheckOut,
    MoveIn,
    PlannedAssignmentOut,
    ShiftIn,
    ShiftPatch,
    planned_out,
)
from liaison.shifts.schemas import ShiftOut, shift_out

planners_and_leads = allow("coordinator", "admin", "delegation_lead")

From = Annotated[datetime | None, QueryParameter(name="from", description="Shifts ending after this (with offset)")]
To = Annotated[datetime | None, QueryParameter(description="Shifts starting before this (with offset)")]

REFUSALS = (
    "409 reasons: `overlap` (the officer works another shift then), `rest_time` (less than the configured rest, "
    "11 h by default, between two of the officer's shifts), `not_available` (outside the officer's stay), "
    "`full` (headcount reached), `already_assigned`."
)


def _aware(**values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and value.tzinfo is None:
            raise Invalid(f"{name} needs a UTC offset", errors=[{"field": name, "message": "add a UTC offset"}])


async def _assignments_page(
    session: AsyncSession,
    principal: Principal,
    limit: int,
    offset: int,
    *,
    shift_id: uuid.UUID | None = None,
    officer_id: uuid.UUID | None = None,
    country: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> OffsetPagination[PlannedAssignmentOut]:
    rows, total = await planning.list_assignments(
        session,
        principal,
        shift_id=shift_id,
        officer_id=officer_id,
        country=country,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
    )
    items = [planned_out(a, u.name, u.country_code, u.languages) for a, u in rows]
    return page(items, limit=limit, offset=offset, total=total)


class ShiftsController(Controller):
    path = "/api/shifts"
    tags = ["planning"]

    @get("/", guards=[planners_and_leads], summary="Shifts in a window, with how many officers are assigned")
    async def list_shifts(
        self,
        db_session: DbSession,
        limit: Limit = 100,
        offset: Offset = 0,
        venue: Annotated[uuid.UUID | None, QueryParameter(description="Venue id")] = None,
        from_: From = None,
        to: To = None,
    ) -> OffsetPagination[ShiftOut]:
        _aware(**{"from": from_, "to": to})
        rows, total = await planning.list_shifts(
            db_session, venue_id=venue, start=from_, end=to, limit=limit, offset=offset
        )
        return page([shift_out(s, v, n) for s, v, n in rows], limit=limit, offset=offset, total=total)

    @get("/{shift_id:uuid}", guards=[planners_and_leads], summary="One shift")
    async def get_shift(self, shift_id: FromPath[uuid.UUID], db_session: DbSession) -> ShiftOut:
        shift, venue, assigned = await planning.get_shift(db_session, shift_id)
        return shift_out(shift, venue, assigned)

    @post("/", guards=[coordinators], summary="Create a shift")
    async def create_shift(
        self, data: JSONBody[ShiftIn], request: Request[Principal, str, object], db_session: DbSession
    ) -> ShiftOut:
        shift, venue = await planning.create_shift(db_session, request.user, data)
        return shift_out(shift, venue, 0)

    @patch(
        "/{shift_id:uuid}",
        guards=[coordinators],
        summary="Change a shift; assigned officers are told what changed",
        description="Times are re-checked for every assigned officer; a clash is a 409 with `reason` and `conflicts`.",
    )
    async def update_shift(
        self,
        shift_id: FromPath[uuid.UUID],
        data: JSONBody[ShiftPatch],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> ShiftOut:
        shift, venue, assigned = await planning.update_shift(
            db_session, request.user, caller_locale(request), timedelta(hours=settings.rest_hours), shift_id, data
        )
        return shift_out(shift, venue, assigned)

    @delete(
        "/{shift_id:uuid}",
        guards=[coordinators],
        status_code=204,
        summary="Cancel a shift (its assignments are cancelled too)",
    )
    async def delete_shift(
        self, shift_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> None:
        await planning.delete_shift(db_session, request.user, shift_id)

    @get("/{shift_id:uuid}/assignments", guards=[planners_and_leads], summary="Who works this shift")
    async def shift_assignments(
        self,
        shift_id: FromPath[uuid.UUID],
        request: Request[Principal, str, object],
        db_session: DbSession,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> OffsetPagination[PlannedAssignmentOut]:
        await planning.get_shift(db_session, shift_id)
        return await _assignments_page(db_session, request.user, limit, offset, shift_id=shift_id)

    @post(
        "/{shift_id:uuid}/assignments",
        guards=[coordinators],
        status_code=201,
        summary="Assign an officer",
        description=REFUSALS,
    )
    async def assign(
        self,
        shift_id: FromPath[uuid.UUID],
        data: JSONBody[AssignIn],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> PlannedAssignmentOut:
        assignment = await planning.assign(
            db_session,
            request.user,
            caller_locale(request),
            timedelta(hours=settings.rest_hours),
            shift_id,
            data.officer_id,
        )
        return planned_out(assignment)

    @post(
        "/{shift_id:uuid}/assignments/check",
        guards=[coordinators],
        status_code=200,
        summary="Dry run: would each officer be accepted on this shift? Nothing is written",
        description="Each officer is checked on their own against the shift as it is now, with the same rules and "
        "wording as a real assignment: `ok`, or the `reason` and `detail` the assignment would be refused with. "
        + REFUSALS,
    )
    async def check_assignments(
        self,
        shift_id: FromPath[uuid.UUID],
        data: JSONBody[CheckIn],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> CheckOut:
        results = await planning.check(
            db_session, caller_locale(request), timedelta(hours=settings.rest_hours), shift_id, data.officer_ids
        )
        return CheckOut(results=results)

    @post(
        "/{shift_id:uuid}/assignments/bulk",
        guards=[coordinators],
        status_code=200,
        summary="Assign several officers; each gets its own result",
        description="Officers that pass every check are assigned; the others are listed with their reason. " + REFUSALS,
    )
    async def assign_bulk(
        self,
        shift_id: FromPath[uuid.UUID],
        data: JSONBody[BulkAssignIn],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> BulkOut:
        return await planning.assign_bulk(
            db_session,
            request.user,
            caller_locale(request),
            timedelta(hours=settings.rest_hours),
            shift_id,
            data.officer_ids,
        )


class AssignmentsController(Controller):
    path = "/api/assignments"
    tags = ["planning"]

    @get("/", guards=[planners_and_leads], summary="Assignments (a delegation lead: its own country's officers)")
    async def list_assignments(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        limit: Limit = 100,
        offset: Offset = 0,
        shift: Annotated[uuid.UUID | None, QueryParameter(description="Shift id")] = None,
        officer: Annotated[uuid.UUID | None, QueryParameter(description="Officer id")] = None,
        country: Annotated[str | None, QueryParameter(min_length=2, max_length=2, description="ISO code")] = None,
        from_: From = None,
        to: To = None,
    ) -> OffsetPagination[PlannedAssignmentOut]:
        _aware(**{"from": from_, "to": to})
        return await _assignments_page(
            db_session,
            request.user,
            limit,
            offset,
            shift_id=shift,
            officer_id=officer,
            country=country,
            start=from_,
            end=to,
        )

    @delete(
        "/{assignment_id:uuid}",
        guards=[coordinators],
        status_code=204,
        summary="Unassign (the officer learns it by sync and push)",
    )
    async def unassign(
        self, assignment_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> None:
        await planning.unassign(db_session, request.user, assignment_id)

    @post(
        "/{assignment_id:uuid}/move",
        guards=[coordinators],
        status_code=200,
        summary="Move the officer to another shift, as one change",
        description=REFUSALS + " `checked_in`: the officer already started the shift.",
    )
    async def move(
        self,
        assignment_id: FromPath[uuid.UUID],
        data: JSONBody[MoveIn],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> PlannedAssignmentOut:
        assignment = await planning.move(
            db_session,
            request.user,
            caller_locale(request),
            timedelta(hours=settings.rest_hours),
            assignment_id,
            data.shift_id,
        )
        return planned_out(assignment)
