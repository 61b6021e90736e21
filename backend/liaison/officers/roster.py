"""Roster import: map the columns a country sent, check every line, write the good ones in bulk.

Every line is checked on its own and every problem is reported with its line and field; lines without a
problem are imported even when others have some. A re-import updates officers by accreditation id, and only
the rows that really changed get a new sync version (an unchanged roster wakes no phone).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import msgspec
from babel import Locale
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.database import utcnow
from liaison.i18n.catalogs import N_, gettext
from liaison.i18n.locales import UI_LOCALES, is_known_locale, normalize
from liaison.officers.models import Country, User
from liaison.officers.roster_files import DOMAIN, Cell, RosterFileError, Table, bad_bytes, header_key, read_table
from liaison.officers.sync import tombstone_country_moves
from liaison.sync.versioning import transaction_version

FIELDS = (
    "accreditation_id",
    "first_name",
    "last_name",
    "country",
    "email",
    "locale",
    "languages",
    "rank",
    "arrival",
    "departure",
    "phone",
)
REQUIRED = ("accreditation_id", "first_name", "last_name", "country")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Header names seen in the rosters of the sending countries, compared by `header_key` (case, accents,
# spaces and punctuation ignored).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "accreditation_id": _words(
        "accreditationid accreditation accreditationnumber accreditationno accreditationnr accredid badge "
        "badgeid badgenumber idaccreditation numeroaccreditation noaccreditation akkreditierung "
        "akkreditierungsnummer akkreditierungsid acreditacion numeroacreditacion accreditamento "
        "numeroaccreditamento akredytacja numerakredytacji accreditatie accreditatienummer acreditacao "
        "numeroacreditacao"
    ),
    "first_name": _words(
        "firstname givenname givennames forename forenames prenom prenoms vorname vornamen nombre nombres nome "
        "imie imiona voornaam voornamen primeironome"
    ),
    "last_name": _words(
        "lastname surname surnames familyname nom nomdefamille nomfamille nachname familienname zuname apellido "
        "apellidos cognome nazwisko achternaam familienaam sobrenome apelido"
    ),
    "country": _words(
        "country countrycode nationality nationalite pays land staatsangehorigkeit nationalitat herkunftsland "
        "pais nacionalidad paese nazionalita kraj narodowosc obywatelstwo nationaliteit nacionalidade delegation"
    ),
    "email": _words(
        "email mail emailaddress eaddress courriel adressemail adresseemail adresseelectronique correo "
        "correoelectronico posta postaelettronica adresemail emailadres"
    ),
    "locale": _words(
        "locale language preferredlanguage lang langue languepreferee sprache bevorzugtesprache idioma lingua "
        "jezyk taal voorkeurstaal"
    ),
    "languages": _words(
        "languages spokenlanguages languagesspoken langues languesparlees sprachen idiomas lingue jezyki talen linguas"
    ),
    "rank": _words("rank grade dienstgrad rang rango grado stopien graad posto patente"),
    "arrival": _words(
        "arrival arrivaldate arrivalon arrive arrivee datearrivee datedarrivee anreise anreisedatum ankunft "
        "llegada fechallegada arrivo dataarrivo przyjazd dataprzyjazdu aankomst aankomstdatum chegada datachegada"
    ),
    "departure": _words(
        "departure departuredate depart datedepart datededepart abreise abreisedatum abfahrt salida fechasalida "
        "partenza datapartenza wyjazd datawyjazdu vertrek vertrekdatum partida datapartida"
    ),
    "phone": _words("phone phonenumber mobile telephone tel portable telefon handy telefono telefoon telemovel"),
}
_HEADER_FIELD = {key: name for name, keys in SYNONYMS.items() for key in keys}
_ACCREDITATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_SPLIT_LANGUAGES = re.compile(r"[,;/|\s]+")
DUPLICATE = N_("duplicate: {value} is already on line {line}")
STAFF_ACCOUNT = N_("belongs to a staff account, not an officer")
EMAIL_TAKEN = N_("{value} is used by another account")
CHUNK = 5000
# Rows written by one import beyond which the database's statistics are refreshed.
STATISTICS_AFTER = 1000


class RowError(msgspec.Struct):
    line: int
    field: str
    message: str


class ImportOut(msgspec.Struct):
    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
    ignored_columns: list[str] = msgspec.field(default_factory=list)


@dataclass
class Record:
    line: int
    values: dict[str, Any]


@dataclass
class Checked:
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


Progress = Callable[[int, int], None]


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column index of each known field, and the columns left out (unknown or repeated)."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = header_key(name)
        target = _HEADER_FIELD.get(key) or (key if key in FIELDS else None)
        target = target or (key.replace("_", "") if key.replace("_", "") in FIELDS else None)
        if target is None or target in columns:
            if name.strip():
                ignored.append(name.strip())
            continue
        columns[target] = index
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise RosterFileError(
            N_(
                "The header line lacks the column(s) {missing}. Expected headers: {expected} (common names in "
                "other languages are recognised too)."
            ),
            missing=", ".join(missing),
            expected=", ".join(FIELDS),
        )
    return columns, ignored


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Country names in every interface language (and English), without case or accents, to their codes."""
    names: dict[str, str] = {}
    for lang in ("en", *UI_LOCALES):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(header_key(name), code)
    return names


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    # NFC: the same name typed on two keyboards compares equal; whitespace collapsed.
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


def parse_date(value: Cell) -> date | None:
    """ISO (2024-07-26, with or without a time) or day first (26/07/2024, 26.07.2024, 26-07-2024)."""
    if isinstance(value, date):
        return value
    return _parse_date_text(_text(value))


@lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> date | None:
    # Cached: a roster repeats a few dozen arrival and departure days over thousands of lines.
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


class _Line:
    """The cells of one record by field, collecting the line's errors as it is read."""

    def __init__(self, line: int, cells: list[Cell], columns: dict[str, int], lang: str = "en") -> None:
        self.line = line
        self.lang = lang
        self.cells = cells
        self.columns = columns
        self.errors: list[RowError] = []

    def raw(self, name: str) -> Cell:
        index = self.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, name: str, max_length: int, *, required: bool = False) -> str | None:
        raw = self.raw(name)
        value = _text(raw)
        if raw.__class__ is str and not value.isascii() and bad_bytes(value):
            self.error(name, N_("not valid UTF-8 while the rest of the file is: save the file again as CSV UTF-8"))
            return None
        if not value:
            if required:
                self.error(name, N_("missing"))
            return None
        if len(value) > max_length:
            self.error(name, N_("longer than {max} characters"), max=max_length)
            return None
        return value

    def when(self, name: str) -> date | None:
        try:
            return parse_date(self.raw(name))
        except ValueError:
            # The cell as written, not Python's reason (31/02 says "day is out of range for month").
            value = _text(self.raw(name))
            self.error(name, N_("'{value}' is not a date: write YYYY-MM-DD or DD/MM/YYYY"), value=value)
            return None

    def error(self, name: str, message: str, **params: object) -> None:
        """`message` is a msgid (marked with N_); it is worded in the importing coordinator's language."""
        self.errors.append(RowError(self.line, name, gettext(self.lang, message, domain=DOMAIN, **params)))


@lru_cache(maxsize=1024)
def _locale(tag: str) -> str | None:
    """The normalised tag when Babel knows the language (cached: a roster repeats a handful of them)."""
    return normalize(tag) if is_known_locale(tag) else None


@lru_cache(maxsize=4096)
def _country_code(value: str) -> str | None:
    return value.upper() if len(value) == 2 else _country_names().get(header_key(value))


def _country(line: _Line, countries: dict[str, list[str]]) -> str | None:
    value = line.text("country", 80, required=True)
    if value is None:
        return None
    code = _country_code(value)
    if code is None:
        line.error("country", N_("unknown country '{value}': use the ISO code, e.g. DE"), value=value)
        return None
    if code not in countries:
        line.error("country", N_("{code} is not a participating country"), code=code)
        return None
    return code


def _languages(line: _Line, locale: str | None, country_languages: list[str]) -> list[str]:
    value = line.text("languages", 200)
    tags: list[str] = []
    if value:
        for part in _SPLIT_LANGUAGES.split(value):
            if not part:
                continue
            known = _locale(part)
            if known is None:
                line.error("languages", N_("unknown language '{value}': use codes such as de, en, fr"), value=part)
                return []
            tags.append(known.split("-")[0])
        return list(dict.fromkeys(tags))
    return list(_default_languages(locale, tuple(country_languages)))


@lru_cache(maxsize=1024)
def _default_languages(locale: str | None, country_languages: tuple[str, ...]) -> tuple[str, ...]:
    """Without a languages column: the officer's own language, then their country's."""
    tags = [t.split("-")[0] for t in ([locale] if locale else []) + list(country_languages)]
    return tuple(dict.fromkeys(tags))


def check_line(line: _Line, countries: dict[str, list[str]]) -> dict[str, Any] | None:
    accreditation_id = line.text("accreditation_id", 40, required=True)
    if accreditation_id and not _ACCREDITATION.match(accreditation_id):
        line.error("accreditation_id", N_("use letters, digits and - _ / . only (at most 40)"))
    first_name = line.text("first_name", 100, required=True)
    last_name = line.text("last_name", 100, required=True)
    country = _country(line, countries)
    email = line.text("email", 254)
    if email:
        email = email.lower()
        if not _EMAIL.match(email):
            line.error("email", N_("'{value}' is not an e-mail address"), value=email)
    locale = line.text("locale", 16)
    if locale:
        known = _locale(locale)
        if known is None:
            line.error("locale", N_("unknown language '{value}': use a code such as de, en-GB, pt-BR"), value=locale)
        locale = known
    elif country:
        locale = (countries[country] or ["en"])[0]
    languages = _languages(line, locale, countries.get(country or "", []))
    rank = line.text("rank", 80)
    phone = line.text("phone", 40)
    arrival = line.when("arrival")
    departure = line.when("departure")
    if arrival and departure and departure < arrival:
        line.error("departure", N_("before the arrival date"))
    if line.errors:
        return None
    return {
        "accreditation_id": accreditation_id,
        "first_name": first_name,
        "last_name": last_name,
        "country_code": country,
        "email": email,
        "locale": locale or "en",
        "languages": languages,
        "rank": rank,
        "phone": phone,
        "arrival": arrival,
        "departure": departure,
    }


def check_table(table: Table, countries: dict[str, list[str]], lang: str = "en") -> Checked:
    columns, ignored = map_header(table.header)
    out = Checked(ignored_columns=ignored)
    first_seen: dict[str, int] = {}
    email_seen: dict[str, int] = {}
    for number, cells in table.rows:
        line = _Line(number, cells, columns, lang)
        values = check_line(line, countries)
        if values is not None:
            key = values["accreditation_id"].upper()
            if key in first_seen:
                line.error(
                    "accreditation_id",
                    DUPLICATE,
                    value=values["accreditation_id"],
                    line=first_seen[key],
                )
            elif values["email"] and values["email"] in email_seen:
                line.error("email", DUPLICATE, value=values["email"], line=email_seen[values["email"]])
            else:
                first_seen[key] = number
                if values["email"]:
                    email_seen[values["email"]] = number
                out.records.append(Record(number, values))
        out.errors.extend(line.errors)
    return out


# --- writing ------------------------------------------------------------------------------------------

COMPARED = (
    "first_name",
    "last_name",
    "country_code",
    "email",
    "locale",
    "languages",
    "rank",
    "phone",
    "arrival",
    "departure",
)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _existing(session: AsyncSession, records: list[Record]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Accounts already holding the file's accreditation ids, and the accounts owning its e-mails."""
    by_accreditation: dict[str, Any] = {}
    by_email: dict[str, Any] = {}
    table = User.__table__
    wanted = [r.values["accreditation_id"] for r in records]
    for chunk in _chunks(wanted, CHUNK):
        rows = await session.execute(
            select(table.c.id, table.c.role, table.c.accreditation_id, *[table.c[c] for c in COMPARED]).where(
                table.c.accreditation_id.in_(chunk)
            )
        )
        by_accreditation.update({row.accreditation_id: row for row in rows})
    emails = [r.values["email"] for r in records if r.values["email"]]
    for chunk in _chunks(emails, CHUNK):
        rows = await session.execute(select(table.c.id, table.c.email).where(table.c.email.in_(chunk)))
        by_email.update({row.email: row.id for row in rows})
    return by_accreditation, by_email


async def import_roster(
    session: AsyncSession, content: bytes, *, lang: str = "en", progress: Progress | None = None
) -> ImportOut:
    """Reads, checks and writes a roster; raises RosterFileError when the file as a whole is unusable.

    Line errors are worded in `lang` (the importing coordinator's language); field names stay as they are."""
    table = read_table(content)
    rows = (await session.execute(select(Country.code, Country.languages))).all()
    countries = {code: list(langs or []) for code, langs in rows}
    checked = check_table(table, countries, lang)
    errors = checked.errors
    existing, email_owner = await _existing(session, checked.records)
    await session.rollback()  # end the read transaction: writes below commit chunk by chunk
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    moves: dict[uuid.UUID, str | None] = {}  # officers changing country: id -> former country
    unchanged = 0
    for record in checked.records:
        values = record.values
        current = existing.get(values["accreditation_id"])
        owner = email_owner.get(values["email"]) if values["email"] else None
        if current is not None and current.role not in ("officer", "delegation_lead"):
            message = gettext(lang, STAFF_ACCOUNT, domain=DOMAIN)
            errors.append(RowError(record.line, "accreditation_id", message))
            continue
        if owner is not None and (current is None or owner != current.id):
            message = gettext(lang, EMAIL_TAKEN, domain=DOMAIN, value=values["email"])
            errors.append(RowError(record.line, "email", message))
            continue
        if current is None:
            inserts.append({"id": uuid.uuid4(), "role": "officer", "status": "expected", **values})
        elif any(getattr(current, c) != values[c] for c in COMPARED):
            updates.append({"_id": current.id, **{f"v_{c}": values[c] for c in COMPARED}})
            if current.country_code != values["country_code"]:
                moves[current.id] = current.country_code
        else:
            unchanged += 1
    await _write(session, inserts, updates, progress, moves)
    errors.sort(key=lambda e: (e.line, FIELDS.index(e.field) if e.field in FIELDS else len(FIELDS)))
    return ImportOut(
        created=len(inserts),
        updated=len(updates),
        unchanged=unchanged,
        errors=errors,
        ignored_columns=checked.ignored_columns,
    )


async def _write(
    session: AsyncSession,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    progress: Progress | None,
    moves: dict[uuid.UUID, str | None],
) -> None:
    """Bulk Core statements, one transaction per chunk so the sync clock is never held for long."""
    table = User.__table__
    total = len(inserts) + len(updates)
    done = 0
    change = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(
            {c: bindparam(f"v_{c}") for c in COMPARED}
            | {"version": bindparam("v_version"), "updated_at": bindparam("v_updated_at")}
        )
    )
    for rows, statement, prefix in ((inserts, insert(table), ""), (updates, change, "v_")):
        for chunk in _chunks(rows, CHUNK):
            version = await transaction_version(session)
            now = utcnow()
            for row in chunk:
                row[prefix + "version"] = version
                row[prefix + "updated_at"] = now
            await session.execute(statement, chunk)
            if prefix and moves:
                # The former country's delegation leads lose sight of them: in the same transaction.
                moved = {row["_id"]: moves[row["_id"]] for row in chunk if row["_id"] in moves}
                await tombstone_country_moves(session, moved, version)
            await session.commit()
            done += len(chunk)
            if progress:
                progress(done, total)
    if progress and not total:
        progress(0, 0)
    if total >= STATISTICS_AFTER:
        await _refresh_statistics(session)


async def _refresh_statistics(session: AsyncSession) -> None:
    """After a bulk load the planner's row counts are stale (PostgreSQL then scans the whole table for
    every accreditation-id lookup of the next import); refresh them now rather than wait for autovacuum."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        await session.execute(text("ANALYZE users"))
    elif dialect == "sqlite":
        await session.execute(text("PRAGMA optimize"))
    await session.commit()
