"""Settings fail early with a message naming the variable."""

from __future__ import annotations

import pytest

from liaison.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_database_on_localhost():
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///var/liaison.db"
    assert (settings.host, settings.port, settings.demo) == ("127.0.0.1", 8000, False)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LIAISON_PORT": "eighty"}, "LIAISON_PORT"),
        ({"LIAISON_PORT": "70000"}, "LIAISON_PORT"),
        ({"LIAISON_DEMO": "maybe"}, "LIAISON_DEMO"),
        ({"LIAISON_DATABASE_URL": "mysql://x"}, "LIAISON_DATABASE_URL"),
        ({"LIAISON_PUSH_ALLOWED_ORIGINS": "fcm.googleapis.com"}, "LIAISON_PUSH_ALLOWED_ORIGINS"),
        ({"LIAISON_VAPID_SUBJECT": "https://example.org"}, "LIAISON_VAPID_SUBJECT"),
        ({"LIAISON_PUSH_PROCESSES": "many"}, "LIAISON_PUSH_PROCESSES"),
    ],
)
def test_bad_values_name_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


def test_push_origins_are_parsed():
    settings = load_settings({"LIAISON_PUSH_ALLOWED_ORIGINS": "https://fcm.googleapis.com, http://127.0.0.1:9999/"})
    assert settings.push_allowed_origins == ("https://fcm.googleapis.com", "http://127.0.0.1:9999")


def test_push_encryption_helpers_are_automatic_unless_given():
    assert load_settings({}).push_processes is None
    assert load_settings({"LIAISON_PUSH_PROCESSES": "auto"}).push_processes is None
    assert load_settings({"LIAISON_PUSH_PROCESSES": "0"}).push_processes == 0


def test_cli_reports_a_bad_setting_clearly(monkeypatch):
    from click.testing import CliRunner

    from liaison.cli import main

    monkeypatch.setenv("LIAISON_PORT", "nope")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 2
    assert "LIAISON_PORT" in result.output
