"""POST /api/officers/import: a coordinator uploads a country's roster (CSV or XLSX)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody

from liaison.auth.guards import coordinators
from liaison.auth.principal import Principal
from liaison.deps import DbSession
from liaison.errors import DomainError, Invalid
from liaison.i18n.locales import caller_locale
from liaison.officers.roster import ImportOut, import_roster
from liaison.officers.roster_files import RosterFileError

MAX_ROSTER_BYTES = 64 * 1024 * 1024


class UnsupportedFile(DomainError):
    status = 415
    kind = "unsupported-file"


@dataclass
class RosterUpload:
    file: UploadFile


class RosterImportController(Controller):
    path = "/api/officers/import"
    tags = ["officers"]
    guards = [coordinators]

    @post(
        "/",
        status_code=200,
        request_max_body_size=MAX_ROSTER_BYTES,
        summary="Import a roster (CSV or XLSX, multipart field `file`); bad lines are reported, good ones kept",
        description="Canonical headers: accreditation_id, first_name, last_name, country, email, locale, rank, "
        "arrival, departure (also languages, phone); common names in other languages are recognised "
        "(Surname, Nom, Nachname, Given name, E-mail, Nationality…), ignoring case, accents and spaces. "
        "CSV in UTF-8 (with or without BOM), UTF-16 or Windows-1252, separated by `,` `;` or tabs. Dates as "
        "YYYY-MM-DD or DD/MM/YYYY. Officers are matched by accreditation_id: a re-import updates them. "
        "`line` in `errors` is the line number the file shows (the header is line 1); `message` is in the "
        "caller's language (account locale, else Accept-Language), `field` is the canonical column name. A file "
        "that is not CSV or XLSX is a 415, a file without the required columns a 422.",
    )
    async def import_roster(
        self, data: MultipartBody[RosterUpload], request: Request[Principal, str, object], db_session: DbSession
    ) -> ImportOut:
        lang = caller_locale(request)
        content = await data.file.read()
        try:
            return await import_roster(db_session, content, lang=lang)
        except RosterFileError as exc:
            message = exc.in_language(lang)
            if exc.unsupported:
                raise UnsupportedFile(message) from None
            raise Invalid(message, errors=[{"field": "file", "message": message}]) from None
