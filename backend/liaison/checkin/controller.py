"""Accreditation tokens and their keys, revocations, desk check-ins and the arrivals dashboard."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth import service as auth_service
from liaison.auth.guards import allow, coordinators, desk_or_coordinators
from liaison.auth.models import Device
from liaison.auth.principal import Principal
from liaison.auth.schemas import EnrollmentOut
from liaison.checkin import arrivals, messages, service
from liaison.checkin.keys import keyring
from liaison.checkin.models import AccreditationRevocation, Checkin
from liaison.checkin.schemas import (
    AccreditationHolder,
    AccreditationId,
    AccreditationOut,
    ArrivalsOut,
    CheckinIn,
    CheckinOut,
    CheckinResult,
    ConflictOut,
    RevocationOut,
    RevokeIn,
    officer_card,
)
from liaison.database import utcnow
from liaison.deps import AppSettings, DbSession
from liaison.i18n.locales import caller_locale, country_name
from liaison.officers.service import visible_country
from liaison.pagination import Limit, Offset, page
from liaison.settings import Settings

dashboard_readers = allow("coordinator", "admin", "delegation_lead")


def issuer(settings: Settings) -> str:
    return settings.base_url


def checkin_out(row: Checkin) -> CheckinOut:
    return CheckinOut(
        id=row.id,
        officer_id=row.officer_id,
        accreditation_id=row.accreditation_id,
        result=row.outcome,
        method=row.method,
        source=row.source,
        occurred_at=row.occurred_at,
        received_at=row.received_at,
        desk_user_id=row.desk_user_id,
        device_id=row.device_id,
        first_checkin_id=row.first_checkin_id,
        conflict=row.conflict,
        reviewed_at=row.reviewed_at,
    )


def revocation_out(row: AccreditationRevocation) -> RevocationOut:
    return RevocationOut(
        accreditation_id=row.accreditation_id,
        officer_id=row.officer_id,
        reason=row.reason,
        generation=row.generation,
        revoked_at=row.revoked_at,
        note=row.note,
    )


class AccreditationController(Controller):
    path = "/api"
    tags = ["accreditation"]

    @get(
        "/me/accreditation",
        summary="The caller's signed accreditation (a compact JWS for the QR code)",
        description=(
            "`token` is a compact JWS, header `{alg: EdDSA, typ: JWT, kid}` (kid = RFC 7638 thumbprint of the key "
            "in /api/accreditation/jwks.json). Claims: `iss`, `sub` (officer id), `accreditation_id`, `name`, "
            "`country`, `role`, `rank` (when known), `gen` (refused when below the generation in the revocation "
            "list), `iat`, `nbf` (three days before the planned arrival), `exp` (a day after the planned "
            "departure, at most 60 days after `iat`). Desks verify it offline with the JWKS and the revocation list."
        ),
    )
    async def my_accreditation(
        self, request: Request[Principal, str, object], db_session: DbSession, settings: AppSettings
    ) -> AccreditationOut:
        issued = await service.issue_token(
            db_session, keyring(settings.data_dir), request.user.user_id, issuer(settings), caller_locale(request)
        )
        officer = issued.officer
        return AccreditationOut(
            accreditation_id=officer.accreditation_id or "",
            token=issued.token,
            kid=issued.kid,
            issued_at=issued.issued_at,
            not_before=issued.not_before,
            expires_at=issued.expires_at,
            holder=AccreditationHolder(
                name=officer.name,
                country=officer.country_code,
                country_name=country_name(officer.country_code, caller_locale(request))
                if officer.country_code
                else None,
                role=officer.role,
                rank=officer.rank,
            ),
            jwks_url=f"{settings.base_url}/api/accreditation/jwks.json",
        )

    @get(
        "/accreditation/jwks.json",
        opt={"exclude_from_auth": True},
        summary="Public keys that verify accreditation tokens (JWK Set, OKP/Ed25519)",
    )
    async def jwks(self, settings: AppSettings) -> Response[dict[str, Any]]:
        return Response(
            keyring(settings.data_dir).jwks(),
            media_type="application/jwk-set+json",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @post(
        "/accreditations/{accreditation_id:str}/revoke",
        guards=[coordinators],
        status_code=200,
        summary="Revoke an accreditation: `lost` refuses the tokens issued so far, `withdrawn` refuses all",
    )
    async def revoke(
        self,
        accreditation_id: FromPath[AccreditationId],
        data: JSONBody[RevokeIn],
        request: Request[Principal, str, object],
        db_session: DbSession,
    ) -> RevocationOut:
        row = await service.revoke(db_session, request.user, accreditation_id.strip().upper(), data.reason, data.note)
        return revocation_out(row)

    @get(
        "/accreditation/revocations",
        guards=[desk_or_coordinators],
        summary="The revocation list desks cache (ETag / If-None-Match)",
        responses={304: ResponseSpec(data_container=None, description="Unchanged since the ETag in If-None-Match")},
    )
    async def revocations(
        self, request: Request[Principal, str, object], db_session: DbSession, limit: Limit = 1000, offset: Offset = 0
    ) -> Response[OffsetPagination[RevocationOut]]:
        rows, total = await service.revocations(db_session, limit, offset)
        body = page([revocation_out(r) for r in rows], limit=limit, offset=offset, total=total)
        etag = '"' + hashlib.sha256(msgspec.json.encode(body)).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(content=None, status_code=304, headers=headers)  # type: ignore[arg-type]
        return Response(content=body, headers=headers)


class CheckinController(Controller):
    path = "/api/checkins"
    tags = ["check-in"]

    @post("/", guards=[desk_or_coordinators], status_code=200, summary="Check an arriving officer in (desk)")
    async def check_in(
        self,
        data: JSONBody[CheckinIn],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> CheckinResult:
        lang = caller_locale(request)
        ring = keyring(settings.data_dir)
        args = {"token": data.token, "accreditation_id": data.accreditation_id, "occurred_at": data.occurred_at}
        try:
            outcome = await service.check_in(
                db_session, request.user, ring, issuer(settings), lang=lang, source="online", **args
            )
            await db_session.commit()
        except IntegrityError:
            # Another desk counted this officer between our read and our write: now we are the repeat.
            await db_session.rollback()
            outcome = await service.check_in(
                db_session, request.user, ring, issuer(settings), lang=lang, source="online", **args
            )
            await db_session.commit()
        officer = outcome.officer
        name = officer.name
        message = (
            messages.checked_in(lang, name)
            if outcome.result == "checked_in"
            else messages.already(lang, name, outcome.checked_in_at)
        )
        enrollment = None
        if data.enroll and not await _has_enrolled_phone(db_session, officer.id):
            code, row = await auth_service.create_enrollment(db_session, officer.id, request.user.user_id)
            enrollment = EnrollmentOut(
                code=code, url=f"{settings.base_url}/join?code={code}", expires_at=row.expires_at, officer_id=officer.id
            )
        return CheckinResult(
            result=outcome.result,
            officer=officer_card(officer, lang),
            checked_in_at=outcome.checked_in_at,
            checkin=checkin_out(outcome.checkin),
            message=message,
            lang=lang,
            enrollment=enrollment,
        )

    @get("/", guards=[desk_or_coordinators], summary="Scans, newest first (optionally one officer's)")
    async def list_checkins(
        self,
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
        officer_id: FromQuery[uuid.UUID | None] = None,
    ) -> OffsetPagination[CheckinOut]:
        rows, total = await service.list_checkins(db_session, officer_id, limit, offset)
        return page([checkin_out(r) for r in rows], limit=limit, offset=offset, total=total)

    @get("/conflicts", guards=[coordinators], summary="Officers checked in by two desks that could not know it")
    async def conflicts(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
        include_reviewed: FromQuery[bool] = False,
    ) -> OffsetPagination[ConflictOut]:
        items, total = await service.conflicts(db_session, include_reviewed, limit, offset)
        lang = caller_locale(request)
        out = [
            ConflictOut(
                id=repeat.id,
                officer=officer_card(officer, lang),
                first=checkin_out(first) if first else None,
                second=checkin_out(repeat),
                reviewed_at=repeat.reviewed_at,
            )
            for repeat, first, officer in items
        ]
        return page(out, limit=limit, offset=offset, total=total)

    @post(
        "/conflicts/{checkin_id:uuid}/review",
        guards=[coordinators],
        status_code=200,
        summary="Mark a check-in conflict as reviewed",
    )
    async def review(
        self, checkin_id: FromPath[uuid.UUID], request: Request[Principal, str, object], db_session: DbSession
    ) -> CheckinOut:
        return checkin_out(await service.review_conflict(db_session, request.user, checkin_id))


class ArrivalsController(Controller):
    path = "/api/arrivals"
    tags = ["check-in"]

    @get(
        "/",
        guards=[dashboard_readers],
        summary="Expected vs arrived per country and per day, and who is late (a delegation lead: its country)",
    )
    async def dashboard(
        self,
        request: Request[Principal, str, object],
        db_session: DbSession,
        day: FromQuery[date | None] = None,
        country: Annotated[str | None, QueryParameter(min_length=2, max_length=2, description="ISO 3166 code")] = None,
    ) -> ArrivalsOut:
        return await arrivals.dashboard(
            db_session,
            day=day or arrivals.paris_today(),
            country=visible_country(request.user, country),
            lang=caller_locale(request),
        )


async def _has_enrolled_phone(session: AsyncSession, officer_id: uuid.UUID) -> bool:
    row = await session.execute(
        select(Device.id)
        .where(
            Device.user_id == officer_id,
            Device.kind == "enrolled",
            Device.revoked_at.is_(None),
            Device.expires_at > utcnow(),
        )
        .limit(1)
    )
    return row.first() is not None
