"""The PWA's catalogs (locales/<lang>/LC_MESSAGES/pwa.po): complete, faithful to the code, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from liaison.i18n.catalogs import gettext
from liaison.i18n.locales import UI_LOCALES

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
SOURCE = ROOT / "frontend" / "src"
# The same pattern as frontend/scripts/compile-catalogs.mjs: t('…') or t("…") with a literal first argument.
CALL = re.compile(r"""\bt\(\s*(['"])((?:\\.|(?!\1).)*)\1""")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
ARABIC = re.compile(r"[\u0600-\u06FF]")


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def template_ids() -> set[str]:
    return {m.id for m in load(LOCALES / "pwa.pot") if m.id}


def strings_in_code() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*"):
        if path.suffix not in {".svelte", ".ts"} or path.name.endswith(".test.ts") or "generated" in path.parts:
            continue
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(re.sub(r"\\(['\"\\])", r"\1", match.group(2)))
    return found


def test_template_holds_exactly_the_strings_the_code_shows():
    in_code = strings_in_code()
    assert len(in_code) > 50
    assert template_ids() == in_code, "run `npm run i18n` in frontend/ to refresh locales/pwa.pot"


@pytest.mark.parametrize("lang", UI_LOCALES)
def test_every_string_is_translated_with_its_placeholders(lang: str):
    catalog = load(LOCALES / lang / "LC_MESSAGES" / "pwa.po", locale=lang)
    translated = {m.id: m for m in catalog if m.id}
    problems: list[str] = []
    for msgid in sorted(template_ids()):
        message = translated.get(msgid)
        text = message.string if message else ""
        if not text or (message and message.fuzzy):
            problems.append(f"untranslated: {msgid!r}")
            continue
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid)):
            problems.append(f"placeholders differ: {msgid!r} -> {text!r}")
        # A sentence left in English is not a translation; a single word may be the same (Information, Online).
        if lang != "en" and text == msgid and " " in msgid.strip():
            problems.append(f"English copied: {msgid!r}")
        if lang == "ar" and re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", msgid)) and not ARABIC.search(text):
            problems.append(f"no Arabic script: {msgid!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_catalogs_serve_the_backend_too():
    # One source of truth: the backend reads the same files through its gettext loader.
    assert gettext("fr", "Hello, {name}", domain="pwa", name="Anna") == "Bonjour, Anna"
    assert gettext("fr", "Heightened security – attack risk", domain="pwa") == "Sécurité renforcée – risque attentat"
    assert gettext("de", "Paris time", domain="pwa") == "Pariser Zeit"
    assert gettext("ar", "Today", domain="pwa") == "اليوم"
