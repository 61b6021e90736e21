"""Roster-import messages exist in every interface language, with the same placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from liaison.i18n.catalogs import LOCALES_DIR
from liaison.i18n.locales import UI_LOCALES

PLACEHOLDER = re.compile(r"\{\w+\}")
ARABIC = re.compile(r"[\u0600-\u06FF]")


def _catalog(path):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


TEMPLATE = _catalog(LOCALES_DIR / "officers.pot")


def test_the_template_holds_the_roster_messages():
    assert "missing" in TEMPLATE and "duplicate: {value} is already on line {line}" in TEMPLATE


@pytest.mark.parametrize("lang", [lang for lang in UI_LOCALES if lang != "en"])
def test_every_language_translates_every_roster_message_keeping_placeholders(lang):
    catalog = _catalog(LOCALES_DIR / lang / "LC_MESSAGES" / "officers.po")
    for msgid in TEMPLATE:
        translated = catalog.get(msgid)
        assert translated and translated != msgid, f"{lang}: {msgid!r} is not translated"
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(msgid)), (lang, msgid)
        if lang == "ar":
            assert ARABIC.search(translated), msgid
