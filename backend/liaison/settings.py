"""Settings read once from the environment and validated, so a bad value stops the start with a clear message."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

DEFAULT_PUSH_ORIGINS = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://api.push.apple.com",
    "https://wns2-par02p.notify.windows.com",
    "https://*.notify.windows.com",
)


class SettingsError(ValueError):
    """A setting has a value Liaison cannot use; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = "sqlite+aiosqlite:///var/liaison.db"
    host: str = "127.0.0.1"
    port: int = 8000
    demo: bool = False
    push_allowed_origins: tuple[str, ...] = DEFAULT_PUSH_ORIGINS
    # Where the PWA build lives; served at / when present.
    static_dir: Path = Path("frontend/build")
    # Secrets and keys (VAPID, accreditation signing) are kept here when not given.
    data_dir: Path = Path("var")
    public_url: str = ""
    db_pool_size: int = 20
    login_rate_per_minute: int = 10
    token_cache_seconds: float = 30.0
    rest_hours: float = 11.0
    vapid_subject: str = "mailto:ops@liaison.example.org"
    channels_backend: str = "memory"  # memory | postgres | redis
    redis_url: str = "redis://127.0.0.1:6379/0"
    run_worker: bool = True
    # Helper processes that encrypt and send big push batches for a worker (None: one per core).
    push_processes: int | None = None
    # Push a reminder this many minutes before each assigned shift starts (0: no reminders).
    reminder_lead_minutes: int = 120
    log_level: str = "INFO"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"


_BOOL = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
    "": False,
}


def _parse_bool(name: str, raw: str) -> bool:
    try:
        return _BOOL[raw.strip().lower()]
    except KeyError:
        raise SettingsError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no") from None


def _parse_int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value}: must be between {low} and {high}")
    return value


def _parse_float(name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value}: must be between {low} and {high}")
    return value


def _parse_origins(name: str, raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if not origin.startswith(("https://", "http://")) or origin.count("/") != 2:
            raise SettingsError(f"{name}: {origin!r} is not an origin like https://push.example.org")
    return origins


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from LIAISON_* variables; unknown values raise SettingsError naming the variable."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    get = env.get
    if (raw := get("LIAISON_DATABASE_URL")) is not None:
        if not raw.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise SettingsError(
                f"LIAISON_DATABASE_URL={raw!r}: use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
            )
        values["database_url"] = raw
    if (raw := get("LIAISON_HOST")) is not None:
        if not raw.strip():
            raise SettingsError("LIAISON_HOST is empty")
        values["host"] = raw.strip()
    if (raw := get("LIAISON_PORT")) is not None:
        values["port"] = _parse_int("LIAISON_PORT", raw, 1, 65535)
    if (raw := get("LIAISON_DEMO")) is not None:
        values["demo"] = _parse_bool("LIAISON_DEMO", raw)
    if (raw := get("LIAISON_PUSH_ALLOWED_ORIGINS")) is not None:
        values["push_allowed_origins"] = _parse_origins("LIAISON_PUSH_ALLOWED_ORIGINS", raw)
    if (raw := get("LIAISON_STATIC_DIR")) is not None:
        values["static_dir"] = Path(raw)
    if (raw := get("LIAISON_DATA_DIR")) is not None:
        values["data_dir"] = Path(raw)
    if (raw := get("LIAISON_PUBLIC_URL")) is not None:
        values["public_url"] = raw
    if (raw := get("LIAISON_DB_POOL_SIZE")) is not None:
        values["db_pool_size"] = _parse_int("LIAISON_DB_POOL_SIZE", raw, 1, 500)
    if (raw := get("LIAISON_LOGIN_RATE_PER_MINUTE")) is not None:
        values["login_rate_per_minute"] = _parse_int("LIAISON_LOGIN_RATE_PER_MINUTE", raw, 1, 100000)
    if (raw := get("LIAISON_TOKEN_CACHE_SECONDS")) is not None:
        values["token_cache_seconds"] = _parse_float("LIAISON_TOKEN_CACHE_SECONDS", raw, 0, 3600)
    if (raw := get("LIAISON_REST_HOURS")) is not None:
        values["rest_hours"] = _parse_float("LIAISON_REST_HOURS", raw, 0, 48)
    if (raw := get("LIAISON_VAPID_SUBJECT")) is not None:
        if not raw.startswith("mailto:") or "@" not in raw or "." not in raw.split("@")[-1]:
            raise SettingsError(f"LIAISON_VAPID_SUBJECT={raw!r}: push services want mailto:someone@real-domain.org")
        values["vapid_subject"] = raw
    if (raw := get("LIAISON_CHANNELS_BACKEND")) is not None:
        if raw not in ("memory", "postgres", "redis"):
            raise SettingsError(f"LIAISON_CHANNELS_BACKEND={raw!r}: expected memory, postgres or redis")
        values["channels_backend"] = raw
    if (raw := get("LIAISON_REDIS_URL")) is not None:
        values["redis_url"] = raw
    if (raw := get("LIAISON_RUN_WORKER")) is not None:
        values["run_worker"] = _parse_bool("LIAISON_RUN_WORKER", raw)
    if (raw := get("LIAISON_PUSH_PROCESSES")) is not None and raw.strip().lower() != "auto":
        values["push_processes"] = _parse_int("LIAISON_PUSH_PROCESSES", raw, 0, 32)
    if (raw := get("LIAISON_REMINDER_MINUTES")) is not None:
        values["reminder_lead_minutes"] = _parse_int("LIAISON_REMINDER_MINUTES", raw, 0, 7 * 24 * 60)
    if (raw := get("LIAISON_LOG_LEVEL")) is not None:
        if raw.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError(f"LIAISON_LOG_LEVEL={raw!r}: expected DEBUG, INFO, WARNING or ERROR")
        values["log_level"] = raw.upper()
    return Settings(**values)  # type: ignore[arg-type]
