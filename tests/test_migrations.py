"""The migrations build the schema the models describe, on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from liaison.database import Base, make_engine
from liaison.migrate import downgrade, upgrade
from liaison.settings import Settings
from tests.conftest import _in_thread, create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    url = create_pg_database("liaison_migrations")
    yield url
    drop_pg_database(url)


def _diff_and_tables(url: str) -> tuple[list, set[str]]:
    async def run() -> tuple[list, set[str]]:
        engine = make_engine(Settings(database_url=url))
        async with engine.connect() as conn:

            def inspect_sync(sync_conn):  # type: ignore[no-untyped-def]
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(context, Base.metadata), set(inspect(sync_conn).get_table_names())

            result = await conn.run_sync(inspect_sync)
        await engine.dispose()
        return result

    return asyncio.run(run())


def test_upgrade_matches_models_and_downgrade_empties(empty_database):
    _in_thread(upgrade, empty_database)
    diff, tables = _diff_and_tables(empty_database)
    assert diff == [], f"models and migrations disagree: {diff}"
    assert set(Base.metadata.tables) <= tables
    _in_thread(downgrade, empty_database)
    _, tables = _diff_and_tables(empty_database)
    assert tables <= {"alembic_version"}
