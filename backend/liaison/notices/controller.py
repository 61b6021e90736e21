"""/api/notices and /api/briefings: the same endpoints over one mechanism, for two kinds."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from litestar import Controller, Request, get, post
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody

from liaison.auth.guards import allow, coordinators
from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.errors import Conflict
from liaison.notices import acknowledgements, escalation, service
from liaison.notices.schemas import (
    AcknowledgementsOut,
    AudiencePreviewIn,
    AudiencePreviewOut,
    CancelIn,
    EscalationOut,
    NoticeIn,
    NoticeOut,
    TodayOut,
)
from liaison.notices.views import notice_out
from liaison.pagination import Limit, Offset, page

ack_readers = allow("coordinator", "admin", "delegation_lead")


def _accept(request: Request[Principal, str, object]) -> str | None:
    return request.headers.get("accept-language")


async def _out(request: Request[Principal, str, object], db_session: DbSession, notice, recipient) -> NoticeOut:  # type: ignore[no-untyped-def]
    staff = request.user.manages_all
    count = await service.acknowledged_count(db_session, notice.id) if staff else None
    return notice_out(notice, request.user.locale, _accept(request), recipient, staff=staff, acknowledged_count=count)


class _NoticeEndpoints(Controller):
    kind = "notice"

    @post("/", guards=[coordinators], summary="Send to an audience (all, countries, venues in a window, officers)")
    async def send(
        self, data: JSONBody[NoticeIn], request: Request[Principal, str, object], db_session: DbSession
    ) -> NoticeOut:
        notice = await service.send(db_session, request.user, self.kind, data)
        return await _out(request, db_session, notice, None)

    @post(
        "/audience",
        guards=[coordinators],
        status_code=200,
        summary="How many people an audience reaches now, per country and language (a composer's live count)",
    )
    async def audience(self, data: JSONBody[AudiencePreviewIn], db_session: DbSession) -> AudiencePreviewOut:
        return await service.preview_audience(db_session, data)

    @get("/", summary="The caller's, newest first, in the caller's language (coordinators: every one sent)")
    async def list_notices(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> OffsetPagination[NoticeOut]:
        rows, total = await service.list_for(db_session, request.user, self.kind, limit=limit, offset=offset)
        counts = (
            await service.acknowledged_counts(db_session, [n.id for n, _ in rows]) if request.user.manages_all else {}
        )
        items = [
            notice_out(
                n,
                request.user.locale,
                _accept(request),
                r,
                staff=request.user.manages_all,
                acknowledged_count=counts.get(n.id),
            )
            for n, r in rows
        ]
        return page(items, limit=limit, offset=offset, total=total)

    @get("/{notice_id:uuid}", summary="One, as the caller sees it")
    async def get_one(
        self, notice_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> NoticeOut:
        notice, recipient = await service.get_for(db_session, request.user, self.kind, notice_id)
        return await _out(request, db_session, notice, recipient)

    @post("/{notice_id:uuid}/ack", status_code=200, summary="Acknowledge (twice is one acknowledgement)")
    async def ack(
        self, notice_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> NoticeOut:
        notice, recipient = await service.acknowledge(db_session, request.user, self.kind, notice_id)
        await db_session.commit()
        return notice_out(notice, request.user.locale, _accept(request), recipient)

    @post("/{notice_id:uuid}/cancel", guards=[coordinators], status_code=200, summary="Cancel; readers are told")
    async def cancel(
        self,
        notice_id: FromPath[uuid.UUID],
        request: Request[Principal, str, object],
        db_session: DbSession,
        data: JSONBody[CancelIn | None] = None,
    ) -> NoticeOut:
        notice = await service.cancel(db_session, request.user, self.kind, notice_id, data.reason if data else "")
        return await _out(request, db_session, notice, None)

    @get(
        "/{notice_id:uuid}/acknowledgements",
        guards=[ack_readers],
        summary="Who acknowledged: per country and venue, and who has not (a delegation lead: its country)",
    )
    async def acknowledgements(
        self,
        notice_id: FromPath[uuid.UUID],
        request: Request[Principal, str, object],
        db_session: DbSession,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> AcknowledgementsOut:
        notice = await service.get_notice(db_session, self.kind, notice_id)
        return await acknowledgements.report(db_session, request.user, notice, limit=limit, offset=offset)

    @post(
        "/{notice_id:uuid}/escalate",
        guards=[coordinators],
        status_code=200,
        summary="Tell each country's delegation lead who has not acknowledged yet",
    )
    async def escalate(
        self, notice_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> EscalationOut:
        notice = await service.get_notice(db_session, self.kind, notice_id)
        if not notice.requires_ack:
            raise Conflict(f"This {self.kind} asks for no acknowledgement: nothing to escalate.", reason="no_ack")
        if notice.cancelled_at is not None or notice.superseded_at is not None:
            raise Conflict(f"This {self.kind} was cancelled or updated: nothing to escalate.", reason="not_active")
        overdue = notice.ack_deadline is not None and notice.ack_deadline <= datetime.now(notice.ack_deadline.tzinfo)
        return await escalation.escalate(db_session, notice, request.user, overdue=overdue)


class NoticesController(_NoticeEndpoints):
    path = "/api/notices"
    tags = ["notices"]
    kind = "notice"


class BriefingsController(_NoticeEndpoints):
    path = "/api/briefings"
    tags = ["briefings"]
    kind = "briefing"

    @get("/today", summary="The caller's briefings for a day (default today, Paris): dated then or tied to its shifts")
    async def today(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        day: FromQuery[date | None] = None,
    ) -> TodayOut:
        day = day or datetime.now(service.PARIS).date()
        rows = await service.todays_briefings(db_session, request.user, day)
        return TodayOut(date=day, items=[notice_out(n, request.user.locale, _accept(request), r) for n, r in rows])
