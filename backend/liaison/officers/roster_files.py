"""Reading roster spreadsheets as the sending countries deliver them: CSV in any common encoding, or XLSX.

Gives the header and the records with the line number the file shows (header = line 1), never guesses
silently: a cell whose bytes are not valid in the file's encoding is reported, not turned into mojibake.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from liaison.i18n.catalogs import N_, gettext

DOMAIN = "officers"

# Lead bytes of well-formed multi-byte UTF-8 sequences: their presence says "this file is meant as UTF-8".
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
SEPARATORS = (";", ",", "\t")
Cell = str | date | None


class RosterFileError(ValueError):
    """The whole file cannot be read as a roster (not CSV/XLSX, no usable header).

    Keeps the message's msgid and parameters so each caller words it in its own language (`in_language`);
    `str()` is the English text (the command line's).
    """

    def __init__(self, message: str, *, unsupported: bool = False, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.msgid = message
        self.params = params
        self.unsupported = unsupported

    def in_language(self, lang: str) -> str:
        return gettext(lang, self.msgid, domain=DOMAIN, **self.params)


@dataclass
class Table:
    kind: str  # csv | xlsx
    encoding: str | None
    header: list[str]
    rows: list[tuple[int, list[Cell]]]


def bad_bytes(value: str) -> bool:
    """A cell holding bytes that were not valid UTF-8 (decoded with surrogateescape)."""
    return not value.isascii() and _ESCAPED_BYTE.search(value) is not None


def decode(content: bytes) -> tuple[str, str]:
    """Text and the encoding used: BOMs first, then UTF-8, then Windows-1252 (Excel's "CSV" on Windows)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="surrogateescape"), "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise RosterFileError(N_("The file says it is UTF-16 but is not: save it again as CSV UTF-8.")) from None
    if b"\x00" in content[:4096]:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
        head = content[:4096]
        if head[1::2].count(0) > len(head) // 4:
            return content.decode("utf-16-le", errors="replace"), "utf-16-le"
        if head[0::2].count(0) > len(head) // 4:
            return content.decode("utf-16-be", errors="replace"), "utf-16-be"
        raise RosterFileError(N_("This is not a CSV or XLSX file."), unsupported=True)
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_SEQUENCE.search(content):
        # Mostly UTF-8 with some lines saved otherwise: keep the bad bytes visible so their cells are reported.
        return content.decode("utf-8", errors="surrogateescape"), "utf-8"
    return content.decode("cp1252", errors="replace"), "cp1252"


def _separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_csv(content: bytes) -> Table:
    text, encoding = decode(content)
    if _CONTROL.search(text[:4096]):
        raise RosterFileError(N_("This is not a CSV or XLSX file."), unsupported=True)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(first_line))
    header: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
            else:
                rows.append((line, list(record)))
    except csv.Error as exc:
        raise RosterFileError(
            N_("line {line}: the CSV is malformed ({problem})."), line=reader.line_num, problem=str(exc)
        ) from None
    if header is None:
        raise RosterFileError(N_("The file is empty."))
    return Table("csv", encoding, header, rows)


def _xlsx_cell(value: Any) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterFileError(
            N_("This is not a readable XLSX workbook ({problem})."), unsupported=True, problem=type(exc).__name__
        ) from None
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[Cell]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(v) for v in values]
            if not any(c not in (None, "") and (not isinstance(c, str) or c.strip()) for c in cells):
                continue
            if header is None:
                header = ["" if c is None else str(c) for c in cells]
            else:
                rows.append((line, cells))
    finally:
        book.close()
    if header is None:
        raise RosterFileError(N_("The workbook's first sheet is empty."))
    return Table("xlsx", None, header, rows)


def read_table(content: bytes) -> Table:
    if content.startswith(b"PK\x03\x04"):
        return read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(N_("Old Excel (.xls) workbooks are not read: save it as .xlsx or CSV."), unsupported=True)
    if not content.strip():
        raise RosterFileError(N_("The file is empty."))
    return read_csv(content)


def header_key(name: str) -> str:
    """`Nom de famille`, `NOM_DE_FAMILLE` and `nom de famille ` all become `nomdefamille`."""
    plain = unicodedata.normalize("NFKD", name.replace("\ufeff", ""))
    return "".join(ch for ch in plain if ch.isalnum() and not unicodedata.combining(ch)).lower()
