"""Test harness: every API test runs against a real SQLite file and a real PostgreSQL database.

PostgreSQL: a fresh database per run on LIAISON_TEST_POSTGRES (default the local server). Without a server
those tests skip with a message, except where CI=true or LIAISON_REQUIRE_POSTGRES=1: there they fail.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

import liaison.models  # noqa: F401
from liaison.app import create_app
from liaison.database import Base, make_engine, make_sessionmaker
from liaison.migrate import upgrade
from liaison.settings import Settings

PG_ADMIN_URL = os.environ.get("LIAISON_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("CI", "").lower() == "true" or os.environ.get("LIAISON_REQUIRE_POSTGRES") == "1"


def _in_thread(fn, *args):  # type: ignore[no-untyped-def]
    """Alembic's env runs its own event loop: keep it off the test loop's thread."""
    result: dict[str, BaseException] = {}

    def run() -> None:
        try:
            fn(*args)
        except BaseException as exc:  # re-raised in the caller
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]


async def _admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


def create_pg_database(prefix: str = "liaison_test") -> str:
    """A new empty database on the test server; pytest.skip (or fail in CI) when there is none."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__}: {exc})"
        if REQUIRE_PG:
            pytest.fail(message + " — PostgreSQL tests are mandatory here (CI / LIAISON_REQUIRE_POSTGRES)")
        pytest.skip(message + " — set LIAISON_TEST_POSTGRES to run the PostgreSQL half of the suite")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "liaison.db"
        url = f"sqlite+aiosqlite:///{path}"
        _in_thread(upgrade, url)
        yield url
        return
    url = create_pg_database()
    try:
        _in_thread(upgrade, url)
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        login_rate_per_minute=10_000,
        static_dir=tmp_path / "no-pwa",
        data_dir=tmp_path / "data",
        push_allowed_origins=("https://fcm.googleapis.com", "https://updates.push.services.mozilla.com"),
        run_worker=False,
    )


async def _wipe(url: str) -> None:
    engine = make_engine(Settings(database_url=url))
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "alembic_version"]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))
        await conn.execute(text("INSERT INTO sync_clock (id, value) VALUES (1, 0)"))
    await engine.dispose()


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    await _wipe(settings.database_url)
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def db(app: Litestar, client: AsyncTestClient[Litestar]) -> AsyncIterator[AsyncSession]:
    """A session for arranging data that has no API (yet); its own engine, since the app runs on another loop."""
    engine = make_engine(app.state.settings)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


@pytest.fixture
async def world(db: AsyncSession):  # type: ignore[no-untyped-def]
    from tests.factories import build_world

    return await build_world(db)


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("LIAISON_LOG_LEVEL", "WARNING")


@pytest.fixture
async def signed(client: AsyncTestClient[Litestar], world):  # type: ignore[no-untyped-def]
    """The world with everyone signed in: staff by password, officers by enrolling a phone."""
    from tests.factories import signed_in_world

    return await signed_in_world(client, world)
