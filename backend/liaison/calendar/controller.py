"""The calendar feed: a secret address per person (revocable), and one-shift downloads for "add to calendar"."""

from __future__ import annotations

import secrets
import uuid

import msgspec
from litestar import Controller, Request, Response, delete, get
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.principal import Principal
from liaison.calendar.feed import officer_calendar
from liaison.calendar.models import CalendarFeed
from liaison.deps import AppSettings, DbSession
from liaison.errors import NotFound
from liaison.officers.models import User

ICS = "text/calendar; charset=utf-8"


class CalendarUrlOut(msgspec.Struct):
    url: str
    webcal_url: str


def _urls(base: str, token: str) -> CalendarUrlOut:
    url = f"{base}/api/calendar/{token}.ics"
    return CalendarUrlOut(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


async def _feed(session: AsyncSession, user_id: uuid.UUID, *, rotate: bool) -> str:
    feed = await session.get(CalendarFeed, user_id)
    if feed is None:
        feed = CalendarFeed(user_id=user_id, token=secrets.token_urlsafe(32))
        session.add(feed)
    elif rotate:
        feed.token = secrets.token_urlsafe(32)
    else:
        return feed.token
    await session.commit()
    return feed.token


def _ics(body: bytes, filename: str) -> Response[bytes]:
    return Response(
        body,
        media_type=ICS,
        headers={"Cache-Control": "private, max-age=300", "Content-Disposition": f'inline; filename="{filename}"'},
    )


class MyCalendarController(Controller):
    path = "/api/me/calendar"
    tags = ["officers' day"]

    @get("/", summary="The address of the caller's calendar feed (iCalendar), to subscribe to on a phone")
    async def get_url(
        self, request: Request[Principal, str, object], db_session: DbSession, settings: AppSettings
    ) -> CalendarUrlOut:
        return _urls(settings.base_url, await _feed(db_session, request.user.user_id, rotate=False))

    @delete(
        "/",
        status_code=200,
        summary="Revoke the feed address: the old one stops working, a new one is returned",
    )
    async def rotate(
        self, request: Request[Principal, str, object], db_session: DbSession, settings: AppSettings
    ) -> CalendarUrlOut:
        return _urls(settings.base_url, await _feed(db_session, request.user.user_id, rotate=True))

    @get("/{assignment_id:uuid}", summary="One assignment as an .ics file (add to calendar)", media_type=ICS)
    async def one(
        self, assignment_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> Response[bytes]:
        user = await db_session.get(User, request.user.user_id)
        body = await officer_calendar(db_session, user, assignment_id) if user else None
        if body is None:
            raise NotFound(f"No assignment {assignment_id} of yours.")
        return _ics(body, f"shift-{assignment_id}.ics")


class PublicCalendarController(Controller):
    path = "/api/calendar"
    tags = ["officers' day"]

    @get(
        "/{token:str}",
        opt={"exclude_from_auth": True},
        summary="A calendar feed (RFC 5545); the secret in the address is the only credential",
        media_type=ICS,
    )
    async def feed(self, token: FromPath[str], db_session: DbSession) -> Response[bytes]:
        token = token.removesuffix(".ics")
        user = (
            await db_session.execute(
                select(User).join(CalendarFeed, CalendarFeed.user_id == User.id).where(CalendarFeed.token == token)
            )
        ).scalar_one_or_none()
        if user is None or user.deleted_at is not None:
            raise NotFound("No calendar at this address: it may have been revoked.")
        body = await officer_calendar(db_session, user)
        assert body is not None
        return _ics(body, "liaison.ics")
