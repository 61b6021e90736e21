"""Sign-in, phone enrollment, the caller's own account and device revocation."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, delete, get, patch, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, JSONBody

from liaison.audit import service as audit
from liaison.auth import service
from liaison.auth.guards import coordinators, desk_or_coordinators
from liaison.auth.principal import Principal
from liaison.auth.schemas import DeviceOut, EnrollIn, EnrollmentOut, LoginIn, MePatch, TokenOut
from liaison.database import utcnow
from liaison.deps import AppSettings, DbSession
from liaison.errors import Invalid, NotFound
from liaison.i18n.locales import is_known_locale, normalize
from liaison.officers.models import User
from liaison.officers.schemas import UserOut, user_out


def _token_out(token: str, device_id: FromPath[uuid.UUID], expires_at: object, user: User) -> TokenOut:
    expires_in = int((expires_at - utcnow()).total_seconds())  # type: ignore[operator]
    return TokenOut(access_token=token, expires_in=expires_in, user=user_out(user), device_id=device_id)


def login_rate_limit(settings: AppSettings) -> RateLimitConfig:
    # Per client address, on the login route only: slows password guessing without touching other calls.
    return RateLimitConfig(rate_limit=("minute", settings.login_rate_per_minute), store="rate_limit")


class PublicAuthController(Controller):
    """Sign-in and enrollment: the only /api calls without a token, mounted behind a rate limit."""

    path = "/api/auth"
    tags = ["auth"]

    @post("/login", opt={"exclude_from_auth": True}, status_code=200, summary="Sign in with e-mail and password")
    async def login(self, data: JSONBody[LoginIn], db_session: DbSession, request: Request) -> TokenOut:
        agent = request.headers.get("user-agent", "browser")
        token, device, user = await service.login(db_session, data.email, data.password, agent)
        return _token_out(token, device.id, device.expires_at, user)

    @post("/enroll", opt={"exclude_from_auth": True}, status_code=200, summary="Redeem an enrollment code on a phone")
    async def enroll(self, data: JSONBody[EnrollIn], db_session: DbSession) -> TokenOut:
        token, device, user = await service.enroll(db_session, data.code, data.device_name or "Phone")
        return _token_out(token, device.id, device.expires_at, user)


class AuthController(Controller):
    path = "/api"
    tags = ["auth"]

    @post("/auth/logout", status_code=204, summary="Sign this device out (revokes its token)")
    async def logout(self, request: Request[Principal, str, object], db_session: DbSession) -> None:
        await service.revoke_device(db_session, request.user.device_id, request.user.user_id)
        request.app.state.token_cache.forget_device(request.user.device_id)

    @post(
        "/officers/{officer_id:uuid}/enrollment",
        guards=[desk_or_coordinators],
        summary="Make a single-use enrollment code (shown as a QR at the desk)",
    )
    async def create_enrollment(
        self,
        officer_id: FromPath[uuid.UUID],
        request: Request[Principal, str, object],
        db_session: DbSession,
        settings: AppSettings,
    ) -> EnrollmentOut:
        code, row = await service.create_enrollment(db_session, officer_id, request.user.user_id)
        return EnrollmentOut(
            code=code, url=f"{settings.base_url}/join?code={code}", expires_at=row.expires_at, officer_id=officer_id
        )

    @get("/me", summary="The caller's own account")
    async def me(self, request: Request[Principal, str, object], db_session: DbSession) -> UserOut:
        user = await db_session.get(User, request.user.user_id)
        if user is None:
            raise NotFound("Your account no longer exists.")
        return user_out(user)

    @patch("/me", summary="Change the caller's language")
    async def patch_me(
        self, data: JSONBody[MePatch], request: Request[Principal, str, object], db_session: DbSession
    ) -> UserOut:
        if not is_known_locale(data.locale):
            raise Invalid(
                f"Unknown language {data.locale!r}.", errors=[{"field": "locale", "message": "unknown language tag"}]
            )
        user = await db_session.get(User, request.user.user_id)
        if user is None:
            raise NotFound("Your account no longer exists.")
        user.locale = normalize(data.locale)
        await db_session.commit()
        request.app.state.token_cache.forget_user(user.id)
        return user_out(user)

    @get("/officers/{officer_id:uuid}/devices", guards=[coordinators], summary="An officer's devices")
    async def devices(self, officer_id: FromPath[uuid.UUID], db_session: DbSession) -> list[DeviceOut]:
        rows = await service.list_devices(db_session, officer_id)
        return [
            DeviceOut(
                id=d.id,
                name=d.name,
                kind=d.kind,
                created_at=d.created_at,
                expires_at=d.expires_at,
                last_seen_at=d.last_seen_at,
                revoked_at=d.revoked_at,
            )
            for d in rows
        ]

    @delete("/devices/{device_id:uuid}", guards=[coordinators], status_code=204, summary="Revoke a device's token")
    async def revoke(
        self,
        device_id: FromPath[uuid.UUID],
        request: Request[Principal, str, object],
        db_session: DbSession,
    ) -> None:
        # Recorded in the revocation's own transaction (service.revoke_device commits it).
        await audit.record(db_session, request.user, "device.revoke", ("device", device_id))
        await service.revoke_device(db_session, device_id, request.user.user_id)
        request.app.state.token_cache.forget_device(device_id)
