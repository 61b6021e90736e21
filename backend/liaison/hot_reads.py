"""Reading many rows cheaply, for the few read paths that run once per phone after a mass reconnect.

SQLAlchemy turns every value it reads into a Python object (a UUID from SQLite's hex text, an aware datetime
from its ISO text); for the ten assignments of a cold snapshot that costs more than the query itself. Here
columns are read as the driver gives them (`raw`) and turned straight into what the JSON answer shows
(`RawValues`), and "any of these ids" is one statement whatever the count (`any_of`): an array parameter on
PostgreSQL, so its prepared statement is reused; an expanded IN list on SQLite.

What these paths answer must equal what the typed paths answer: tests compare the two on both databases.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy import any_, bindparam, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

T = TypeVar("T")
_NO_PROCESSING = NullType()


def raw(column: Any, label: str | None = None) -> Any:
    """`column` read as the driver returns it, without SQLAlchemy's result processing."""
    return type_coerce(column, _NO_PROCESSING).label(label or column.key)


def any_of(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """`column` is one of the values of the list parameter `name`."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


async def core_rows(session: AsyncSession, statement: Any, params: dict[str, Any]) -> list[Any]:
    """The rows of a Core statement, run on the session's connection (no ORM result machinery around them), as
    named tuples: reading a field of one costs a twentieth of reading it from SQLAlchemy's Row by name."""
    result = await (await session.connection()).execute(statement, params)
    make = _row_type(tuple(result.keys()))._make
    return [make(row) for row in result]


@lru_cache(maxsize=256)
def _row_type(fields: tuple[str, ...]) -> Any:
    return namedtuple("HotRow", fields)  # type: ignore[misc]


def dialect_of(session: AsyncSession) -> str:
    bind = session.bind
    return bind.dialect.name  # type: ignore[union-attr]


class PerDialect(Generic[T]):
    """A statement built once for each database dialect it runs on (its SQL differs: see `any_of`)."""

    def __init__(self, build: Callable[[str], T]) -> None:
        self._build = build
        self._built: dict[str, T] = {}

    def __call__(self, session: AsyncSession) -> T:
        dialect = dialect_of(session)
        found = self._built.get(dialect)
        if found is None:
            found = self._built[dialect] = self._build(dialect)
        return found


@dataclass(frozen=True, slots=True)
class RawValues:
    """Turns a driver's raw values into their JSON form (the text of a UUID, of a UTC time)."""

    uuid: Callable[[Any], str]
    time: Callable[[Any], Any]


def _sqlite_uuid(value: Any) -> str:
    # SQLAlchemy keeps UUIDs on SQLite as 32 hex digits.
    h = value if len(value) == 32 else value.replace("-", "")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _sqlite_time(value: Any) -> str | None:
    """SQLite keeps UTC times as 'YYYY-MM-DD HH:MM:SS[.ffffff]'; the JSON writes them as msgspec does an aware
    UTC datetime: 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z', the fraction only when it is not zero."""
    if value is None:
        return None
    fraction = value[19:]
    if fraction.strip(".0") == "":
        fraction = ""
    return f"{value[:10]}T{value[11:19]}{fraction}Z"


_SQLITE = RawValues(uuid=_sqlite_uuid, time=_sqlite_time)
# asyncpg already gives UUIDs and aware UTC datetimes, which the JSON encoder writes as the typed paths do.
_POSTGRESQL = RawValues(uuid=str, time=lambda value: value)


def raw_values(session: AsyncSession) -> RawValues:
    return _POSTGRESQL if dialect_of(session) == "postgresql" else _SQLITE
