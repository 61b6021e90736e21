"""Coordinators import the rosters the sending countries deliver: good lines kept, bad ones reported by line."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy import func, select

from liaison.officers.models import User
from liaison.officers.roster_cli import import_file

HEADER = "accreditation_id,first_name,last_name,country,email,locale,rank,arrival,departure\n"


async def upload(client, world, content: bytes, name: str = "roster.csv", who: str = "coordinator"):  # type: ignore[no-untyped-def]
    return await client.post(
        "/api/officers/import", files={"file": (name, content, "text/csv")}, headers=world.auth(who)
    )


async def officer(db, accreditation_id: str) -> User | None:  # type: ignore[no-untyped-def]
    query = select(User).where(User.accreditation_id == accreditation_id).execution_options(populate_existing=True)
    return (await db.execute(query)).scalar_one_or_none()


def _errors(body: dict) -> list[tuple[int, str]]:
    return [(e["line"], e["field"]) for e in body["errors"]]


async def test_a_csv_with_bad_lines_imports_the_good_ones_and_lists_the_bad_by_line(client, signed, db):
    content = (
        HEADER
        + "DE-1001,Hanna,Vogel,DE,hanna.vogel@polizei.de,de,Kommissarin,2026-07-20,2026-08-12\n"
        + "XX-1,Nobody,Known,XX,,,,,\n"
        + "DE-1001,Hanna,Twice,DE,,,,,\n"
        + "IT-2001,Marco,Bianchi,IT,,it,Ispettore,31/02/2026,\n"
        + "IT-2002,Sara,Conti,IT,,it,,26/07/2026,05/08/2026\n"
        + "IT-2003,,Neri,IT,not-an-email,,,,\n"
    ).encode()
    response = await upload(client, signed, content)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["updated"]) == (2, 0)
    assert _errors(body) == [(3, "country"), (4, "accreditation_id"), (5, "arrival"), (7, "first_name"), (7, "email")]
    # The coordinator reads French: the first line holding the same accreditation id is named.
    assert body["errors"][1]["message"] == "doublon : DE-1001 figure déjà à la ligne 2"
    sara = await officer(db, "IT-2002")
    assert sara is not None and (sara.arrival, sara.departure) == (date(2026, 7, 26), date(2026, 8, 5))
    assert (await officer(db, "DE-1001")).rank == "Kommissarin"  # type: ignore[union-attr]
    assert await officer(db, "IT-2001") is None


async def test_a_reimport_updates_by_accreditation_id_without_duplicates(client, signed, db):
    first = HEADER + "DE-1001,Hanna,Vogel,DE,,de,Kommissarin,,\nDE-1002,Paul,Krause,DE,,de,,,\n"
    assert (await upload(client, signed, first.encode())).json()["created"] == 2
    again = HEADER + "DE-1001,Hanna,Vogel,DE,,de,Hauptkommissarin,,\nDE-1002,Paul,Krause,DE,,de,,,\n"
    body = (await upload(client, signed, again.encode())).json()
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (0, 1, 1, [])
    assert (await officer(db, "DE-1001")).rank == "Hauptkommissarin"  # type: ignore[union-attr]
    count = select(func.count()).select_from(User).where(User.accreditation_id.in_(["DE-1001", "DE-1002"]))
    assert (await db.execute(count)).scalar_one() == 2
    # The world's officer P24-DE-0002 is updated too, never duplicated.
    existing = HEADER + "P24-DE-0002,Anna,Schmidt-Berg,DE,,de,,,\n"
    assert (await upload(client, signed, existing.encode())).json()["updated"] == 1
    assert (await officer(db, "P24-DE-0002")).last_name == "Schmidt-Berg"  # type: ignore[union-attr]


async def test_headers_in_other_languages_semicolons_and_windows_1252_are_understood(client, signed, db):
    content = (
        "Nachname;Vorname;Akkreditierung;Staatsangehörigkeit;E-Mail;Ankunft;Abreise;Dienstgrad\n"
        "Müller;Jürgen;DE-3001;Deutschland;j.mueller@polizei.de;20.07.2026;12.08.2026;Polizeioberkommissar\n"
        "Weiß;Zoë;DE-3002;Allemagne;;21/07/2026;;\n"
    ).encode("cp1252")
    body = (await upload(client, signed, content)).json()
    assert (body["created"], body["errors"]) == (2, [])
    jurgen = await officer(db, "DE-3001")
    assert (jurgen.first_name, jurgen.last_name, jurgen.country_code) == ("Jürgen", "Müller", "DE")  # type: ignore[union-attr]
    assert jurgen.arrival == date(2026, 7, 20) and jurgen.locale == "de"  # type: ignore[union-attr]
    assert (await officer(db, "DE-3002")).last_name == "Weiß"  # type: ignore[union-attr]


async def test_names_in_any_script_arrive_intact_from_utf8_with_bom_and_utf16(client, signed, db):
    utf8 = "\ufeffSurname,Given name,Accreditation,Nationality\nΠαπαδοπούλου,Ελένη,IT-4001,IT\n".encode()
    assert (await upload(client, signed, utf8)).json()["created"] == 1
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated.
    utf16 = "Nom\tPrénom\tAccréditation\tPays\nالسيد\tمحمد\tIT-4002\tItalie\n王\t秀英\tIT-4003\tIT\n".encode("utf-16")
    body = (await upload(client, signed, utf16)).json()
    assert (body["created"], body["errors"]) == (2, [])
    assert (await officer(db, "IT-4001")).last_name == "Παπαδοπούλου"  # type: ignore[union-attr]
    assert (await officer(db, "IT-4002")).first_name == "محمد"  # type: ignore[union-attr]
    assert (await officer(db, "IT-4003")).name == "秀英 王"  # type: ignore[union-attr]


async def test_a_line_saved_in_another_encoding_is_reported_not_garbled(client, signed, db):
    content = (
        HEADER.encode()
        + "DE-5001,Jörg,Schäfer,DE,,,,,\n".encode()
        + "DE-5002,Jörg,Bäcker,DE,,,,,\n".encode("cp1252")
        + "DE-5003,Özlem,Yılmaz,DE,,,,,\n".encode()
    )
    body = (await upload(client, signed, content)).json()
    assert body["created"] == 2
    assert _errors(body) == [(3, "first_name"), (3, "last_name")]
    assert "UTF-8" in body["errors"][0]["message"]
    assert (await officer(db, "DE-5003")).last_name == "Yılmaz"  # type: ignore[union-attr]


async def test_line_numbers_follow_the_file_even_with_a_quoted_line_break(client, signed):
    content = (HEADER + 'DE-6001,Eva,Lang,DE,,,"Erste\nHauptkommissarin",,\nDE-6002,Tim,Roth,ZZ,,,,,\n').encode()
    body = (await upload(client, signed, content)).json()
    assert _errors(body) == [(4, "country")]


async def test_an_xlsx_roster_is_imported_with_its_dates_and_numeric_ids(client, signed, db):
    book = Workbook()
    sheet = book.active
    sheet.append(["Accreditation ID", "First name", "Last name", "Country", "Arrival", "Departure", "Languages"])
    sheet.append([70001, "Lea", "Fischer", "DE", datetime(2026, 7, 19), date(2026, 8, 11), "de, en"])
    sheet.append([70002, "Luca", "Ferri", "IT", "2026-07-22", "2026-07-21", None])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["IT-7003", "Chiara", "Galli", "Italia", "22/07/2026", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = await client.post(
        "/api/officers/import",
        files={
            "file": (
                "roster.xlsx",
                buffer.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
        headers=signed.auth("coordinator"),
    )
    body = response.json()
    assert body["created"] == 2
    assert _errors(body) == [(3, "departure")]
    lea = await officer(db, "70001")
    assert lea.arrival == date(2026, 7, 19) and lea.languages == ["de", "en"]  # type: ignore[union-attr]
    assert (await officer(db, "IT-7003")).country_code == "IT"  # type: ignore[union-attr]


async def test_a_file_that_is_not_a_roster_is_a_problem(client, signed):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    response = await upload(client, signed, png, "photo.png")
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("application/problem+json")
    old_excel = await upload(client, signed, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "roster.xls")
    assert old_excel.status_code == 415 and "xlsx" in old_excel.json()["detail"]
    no_columns = await upload(client, signed, b"name,age\nBob,42\n")
    assert no_columns.status_code == 422 and "accreditation_id" in no_columns.json()["detail"]
    forbidden = await upload(client, signed, HEADER.encode(), who="desk")
    assert forbidden.status_code == 403


async def test_the_command_line_reports_each_rejected_line_and_fails(app, signed, db, tmp_path, capsys):
    lines = [HEADER.rstrip("\n")]
    lines += [f"GB-{i:05d},Oliver{i},Smith,DE,,en,Sergeant,2026-07-20,2026-08-12" for i in range(6000)]
    lines.append("GB-99999,Amelia,Jones,Narnia,,,,,")
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = await import_file(db, str(path))
    out, err = capsys.readouterr()
    assert code == 1
    assert "line 6002, field country: unknown country 'Narnia'" in out
    assert "6000 created" in out
    assert "writing officers" in err  # the progress bar, on stderr
    assert await import_file(db, str(path)) == 1
    assert "0 created, 0 updated, 6000 unchanged" in capsys.readouterr().out
    clean = tmp_path / "clean.csv"
    clean.write_text(HEADER + "GB-00001,Oliver1,Smith,DE,,en,Inspector,,\n", encoding="utf-8")
    assert await import_file(db, str(clean)) == 0
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert await import_file(db, str(bad)) == 2
