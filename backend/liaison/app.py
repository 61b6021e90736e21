"""The application factory: everything is built from one Settings object, nothing from globals."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.stores.memory import MemoryStore

import liaison.registrations  # noqa: F401  (sync sources, mutations and push renderers)
from liaison import __version__
from liaison.alerts.controller import AlertLevelController
from liaison.audit.controller import AuditController
from liaison.auth.controller import AuthController, PublicAuthController, login_rate_limit
from liaison.auth.middleware import PUBLIC_PATHS, BearerAuthMiddleware
from liaison.auth.token_cache import TokenCache
from liaison.auth.token_lookup import TokenLookup
from liaison.calendar.controller import MyCalendarController, PublicCalendarController
from liaison.channels import make_channels
from liaison.checkin import sync as checkin_sync
from liaison.checkin.controller import AccreditationController, ArrivalsController, CheckinController
from liaison.console.live import ConsoleLiveController, attach_publisher
from liaison.countries.controller import CountriesController
from liaison.database import make_engine, make_sessionmaker, provide_session
from liaison.errors import EXCEPTION_HANDLERS
from liaison.health import health
from liaison.notices.controller import BriefingsController, NoticesController
from liaison.notices.escalation import escalation_checks
from liaison.officers.controller import OfficersController
from liaison.officers.import_controller import RosterImportController
from liaison.push.controller import PushController
from liaison.push.worker import start_in_process, stop_in_process
from liaison.runtime import tune_for_serving
from liaison.settings import Settings, load_settings
from liaison.shifts.controller import AssignmentsController, ShiftsController
from liaison.shifts.coverage import CoverageController
from liaison.shifts.my_day import MyAssignmentsController
from liaison.sync.controller import SyncController
from liaison.sync.live import LiveController, sync_lifespan
from liaison.venues.controller import VenuesController
from liaison.web import serve_pwa

API_HANDLERS: list[object] = [
    AuthController,
    OfficersController,
    CountriesController,
    VenuesController,
    MyAssignmentsController,
    AccreditationController,
    CheckinController,
    ArrivalsController,
    AlertLevelController,
    NoticesController,
    BriefingsController,
    AuditController,
    ConsoleLiveController,
    PushController,
    ShiftsController,
    AssignmentsController,
    CoverageController,
    RosterImportController,
    MyCalendarController,
    PublicCalendarController,
    SyncController,
    LiveController,
]


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Liaison API",
        version=__version__,
        description="Shifts, notices, the alert level and check-in for foreign police liaison officers.",
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="Device token")}
        ),
        security=[{"bearer": []}],
    )


def serve_app(*, extra_handlers: list[object] | None = None) -> Litestar:
    """The app as `liaison serve` runs it (uvicorn's factory): create_app, tuned for a long-running process."""
    app = create_app(extra_handlers=extra_handlers)
    app.on_startup.append(tune_for_serving)
    return app


def create_app(settings: Settings | None = None, *, extra_handlers: list[object] | None = None) -> Litestar:
    settings = settings or load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.token_lookup = TokenLookup(make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT")))
        attach_publisher(app.state.sessionmaker, channels)
        push_worker = start_in_process(settings, app.state.sessionmaker) if settings.run_worker else None
        try:
            yield
        finally:
            if push_worker is not None:
                await stop_in_process(push_worker)
            # Without this the server may hang on SIGTERM after SQLite use.
            await engine.dispose()

    checkin_sync.use_settings(settings)  # the accreditation.checkin mutation needs the keys' location
    channels = make_channels(settings)
    rate_limit = login_rate_limit(settings)
    public_auth = Router(path="/", route_handlers=[PublicAuthController], middleware=[rate_limit.middleware])
    return Litestar(
        route_handlers=[health, public_auth, *API_HANDLERS, *(extra_handlers or []), serve_pwa],
        dependencies={
            "db_session": Provide(provide_session),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        },
        middleware=[DefineMiddleware(BearerAuthMiddleware, exclude=PUBLIC_PATHS)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=_openapi(),
        lifespan=[lifespan, sync_lifespan, escalation_checks],
        plugins=[channels],
        stores={"rate_limit": MemoryStore()},
        state=State({"settings": settings, "token_cache": TokenCache(settings.token_cache_seconds)}),
        cors_config=CORSConfig(allow_origins=[], allow_credentials=False),
        debug=False,
    )
