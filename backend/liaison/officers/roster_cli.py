"""`liaison roster import FILE`: the same import as the API, with a progress bar and a line-by-line report."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.officers.roster import import_roster
from liaison.officers.roster_files import RosterFileError

# Below this many bytes the import takes a blink: no bar.
PROGRESS_FROM_BYTES = 256 * 1024


async def import_file(session: AsyncSession, path: str) -> int:
    """Exit code: 0 all lines imported, 1 some lines rejected, 2 the file could not be read as a roster."""
    content = await asyncio.to_thread(Path(path).read_bytes)
    bar = None
    if len(content) >= PROGRESS_FROM_BYTES:
        bar = click.progressbar(length=1, label="writing officers", file=sys.stderr, show_pos=True)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

    try:
        result = await import_roster(session, content, lang="en", progress=progress)
    except RosterFileError as exc:
        click.echo(f"{path}: {exc}", err=True)
        return 2
    finally:
        if bar is not None:
            bar.render_finish()
    for error in result.errors:
        click.echo(f"line {error.line}, field {error.field}: {error.message}")
    rejected = len({e.line for e in result.errors})
    click.echo(
        f"{path}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
        f"{rejected} line(s) rejected"
    )
    if result.ignored_columns:
        click.echo("columns ignored: " + ", ".join(result.ignored_columns), err=True)
    return 1 if result.errors else 0
