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

from liaison import __version__
from liaison.auth.controller import AuthController, PublicAuthController, login_rate_limit
from liaison.auth.middleware import PUBLIC_PATHS, BearerAuthMiddleware
from liaison.auth.token_cache import TokenCache
from liaison.countries.controller import CountriesController
from liaison.database import make_engine, make_sessionmaker, provide_session
from liaison.errors import EXCEPTION_HANDLERS
from liaison.health import health
from liaison.officers.controller import OfficersController
from liaison.settings import Settings, load_settings
from liaison.shifts.my_day import MyAssignmentsController
from liaison.sync import sources as _sync_sources  # noqa: F401  (registers every pull source and mutation)
from liaison.sync.controller import SyncController
from liaison.sync.live import LiveController, channels_plugin, sync_lifespan
from liaison.venues.controller import VenuesController
from liaison.web import serve_pwa

API_HANDLERS: list[object] = [
    AuthController,
    OfficersController,
    CountriesController,
    VenuesController,
    MyAssignmentsController,
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


def create_app(settings: Settings | None = None, *, extra_handlers: list[object] | None = None) -> Litestar:
    settings = settings or load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            yield
        finally:
            # Without this the server may hang on SIGTERM after SQLite use.
            await engine.dispose()

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
        lifespan=[lifespan, sync_lifespan],
        plugins=[channels_plugin(settings)],
        stores={"rate_limit": MemoryStore()},
        state=State({"settings": settings, "token_cache": TokenCache(settings.token_cache_seconds)}),
        cors_config=CORSConfig(allow_origins=[], allow_credentials=False),
        debug=False,
    )
