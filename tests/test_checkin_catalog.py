"""The desk's messages exist in every interface language, with the same placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from liaison.checkin import messages
from liaison.i18n.catalogs import LOCALES_DIR
from liaison.i18n.locales import UI_LOCALES

PLACEHOLDER = re.compile(r"\{\w+\}")
SHOWN = [
    *messages.REFUSALS.values(),
    messages.CHECKED_IN,
    messages.ALREADY,
    messages.ALREADY_NO_TIME,
    messages.WITHDRAWN_FOR_HOLDER,
    messages.NO_ACCREDITATION,
]


def _catalog(path):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_template_lists_every_message_the_desk_shows():
    assert set(_catalog(LOCALES_DIR / "checkin.pot")) == set(SHOWN)


@pytest.mark.parametrize("lang", [lang for lang in UI_LOCALES if lang != "en"])
def test_every_language_translates_every_message_keeping_placeholders(lang):
    catalog = _catalog(LOCALES_DIR / lang / "LC_MESSAGES" / "checkin.po")
    for msgid in SHOWN:
        translated = catalog.get(msgid)
        assert translated and translated != msgid, f"{lang}: {msgid!r} is not translated"
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(msgid)), (lang, msgid)


def test_german_desk_reads_the_refusal_in_german():
    assert messages.refusal("de", "expired") == "Die Akkreditierung ist abgelaufen."
    assert messages.checked_in("ar", "Giulia Rossi") == "Giulia Rossi: تم تسجيل الوصول."
