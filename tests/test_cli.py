"""The command line, as an operator uses it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from liaison.cli import main


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["migrate"], ["demo"], ["worker"], ["user", "create"], ["roster", "import"]]
)
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_operator_creates_the_first_coordinator(tmp_path, monkeypatch):
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    args = [
        "user",
        "create",
        "--email",
        "Chef@Prefecture.example",
        "--role",
        "coordinator",
        "--first-name",
        "Claire",
        "--last-name",
        "Moreau",
        "--password",
        "long-enough-secret",
    ]
    created = runner.invoke(main, args)
    assert created.exit_code == 0, created.output
    assert "created coordinator chef@prefecture.example" in created.output
    again = runner.invoke(main, args)
    assert again.exit_code == 1
    assert "already exists" in again.output
    short = runner.invoke(main, [*args[:3], "other@prefecture.example", *args[4:-1], "short"])
    assert "password" in short.output and short.exit_code == 1
