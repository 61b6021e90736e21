"""The `liaison` command line."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from liaison.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


def _run(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(factory())


async def _with_session(settings: Settings, fn: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
    from liaison.database import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            return await fn(session)
    finally:
        await engine.dispose()


@click.group(help="Liaison: shifts, notices, alert level and check-in for foreign liaison officers.")
def main() -> None:
    pass


@main.command(help="Apply every database migration (Alembic upgrade to head).")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def migrate(revision: str) -> None:
    from liaison.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at {revision}: {_redact(settings.database_url)}")


@main.command(help="Seed the demo data set (46 countries, 2,185 officers, two weeks of shifts) into an empty database.")
def demo() -> None:
    from liaison.demo.seed import seed_if_empty

    settings = _settings()
    seeded = _run(lambda: _with_session(settings, seed_if_empty))
    click.echo("demo data seeded" if seeded else "database not empty: demo data left as it was")


@main.command(help="Serve the API and the built PWA (migrates first; seeds the demo when LIAISON_DEMO=1).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Server processes.")
@click.option("--no-migrate", is_flag=True, help="Do not apply migrations before serving.")
def serve(workers: int, no_migrate: bool) -> None:
    import uvicorn

    from liaison.demo.seed import seed_if_empty
    from liaison.migrate import upgrade

    settings = _settings()
    if not no_migrate:
        upgrade(settings.database_url)
    if settings.demo and _run(lambda: _with_session(settings, seed_if_empty)):
        click.echo("demo data seeded")
    if workers > 1 and settings.is_sqlite:
        click.echo("SQLite allows one writer: serving with one worker process.", err=True)
        workers = 1
    if workers > 1 and settings.run_worker and settings.push_processes is None:
        # Each server process runs its own push worker: they share the cores out between their sending helpers.
        os.environ["LIAISON_PUSH_PROCESSES"] = str(max(1, (os.cpu_count() or 1) // workers))
    click.echo(f"Liaison on http://{settings.host}:{settings.port}  (API docs: /schema)")
    uvicorn.run(
        "liaison.app:serve_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )


@main.group(help="Manage staff accounts.")
def user() -> None:
    pass


@user.command("create", help="Create a staff account (coordinator, desk, delegation lead or admin).")
@click.option("--email", required=True, help="Sign-in e-mail.")
@click.option("--role", type=click.Choice(["coordinator", "desk", "delegation_lead", "admin"]), required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--country", default=None, help="ISO code; required for a delegation lead.")
@click.option("--locale", default="fr", show_default=True)
@click.password_option(help="Password (asked twice when not given).")
def user_create(
    email: str, role: str, first_name: str, last_name: str, country: str | None, locale: str, password: str
) -> None:
    from liaison.officers.accounts import AccountError, create_staff

    settings = _settings()
    try:
        created = _run(
            lambda: _with_session(
                settings,
                lambda s: create_staff(
                    s,
                    email=email,
                    role=role,
                    first_name=first_name,
                    last_name=last_name,
                    country=country,
                    locale=locale,
                    password=password,
                ),
            )
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {role} {created.email} ({created.id})")


@main.command(help="Deliver queued push notifications and run escalation checks (several on PostgreSQL scale out).")
@click.option("--once", is_flag=True, help="Drain the push queue once and exit.")
def worker(once: bool) -> None:
    settings = _settings()
    try:
        import uvloop  # the event loop `serve` runs on (uvicorn picks it): less CPU per push sent
    except ImportError:
        _run(lambda: _work(settings, once))
    else:
        uvloop.run(_work(settings, once))


async def _work(settings: Settings, once: bool) -> None:
    import liaison.registrations  # noqa: F401  (every push renderer)
    from liaison.database import make_engine, make_sessionmaker
    from liaison.notices.escalation import check_forever
    from liaison.push.worker import run_worker
    from liaison.runtime import tune_for_serving

    tune_for_serving()
    engine = make_engine(settings)
    sessionmaker = make_sessionmaker(engine)
    try:
        if once:
            await run_worker(settings, once=True, sessionmaker=sessionmaker)
        else:
            await asyncio.gather(run_worker(settings, sessionmaker=sessionmaker), check_forever(sessionmaker))
    finally:
        await engine.dispose()


@main.group(help="Officer rosters.")
def roster() -> None:
    pass


@roster.command("import", help="Import officers from a CSV or XLSX roster; bad lines are reported, good ones kept.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def roster_import(file: str) -> None:
    from liaison.officers.roster_cli import import_file

    settings = _settings()
    code = _run(lambda: _with_session(settings, lambda s: import_file(s, file)))
    sys.exit(code)


@main.group(help="Keys that sign accreditation tokens.")
def keys() -> None:
    pass


@keys.command(
    "rotate", help="Sign with a new key from now on; tokens signed by older keys stay valid until they expire."
)
def keys_rotate() -> None:
    from liaison.checkin.keys import keyring

    ring = keyring(_settings().data_dir)
    fresh = ring.rotate()
    click.echo(f"signing with {fresh.kid}; published keys: {', '.join(k.kid for k in ring.published())}")


@keys.command("list", help="The published accreditation keys, newest first, and until when each stays published.")
def keys_list() -> None:
    from liaison.checkin.keys import keyring

    for key in reversed(keyring(_settings().data_dir).published()):
        until = key.published_until()
        state = "signing" if until is None else f"retired, published until {until.isoformat()}"
        click.echo(f"{key.kid}  created {key.created_at.isoformat()}  {state}")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url


if __name__ == "__main__":
    main()
