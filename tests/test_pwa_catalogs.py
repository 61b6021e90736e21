"""The PWA's catalogs (locales/<lang>/LC_MESSAGES/<domain>.po, the domain chosen by folder in
frontend/i18n-domains.json): complete, faithful to the code, placeholders intact."""

from __future__ import annotations

import json
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


DOMAINS = json.loads((ROOT / "frontend" / "i18n-domains.json").read_text(encoding="utf-8"))


def domain_of(relative: str) -> str:
    """The same rule as compile-catalogs.mjs: the longest matching folder prefix, else the default."""
    best, length = DOMAINS["default"], 0
    for domain, prefixes in DOMAINS["domains"].items():
        for prefix in prefixes:
            if relative.startswith(prefix) and len(prefix) > length:
                best, length = domain, len(prefix)
    return best


def template_ids(domain: str) -> set[str]:
    return {m.id for m in load(LOCALES / f"{domain}.pot") if m.id}


def strings_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*"):
        if path.suffix not in {".svelte", ".ts"} or path.name.endswith(".test.ts") or "generated" in path.parts:
            continue
        domain = domain_of(path.relative_to(SOURCE.parent).as_posix())
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(domain, set()).add(re.sub(r"\\(['\"\\])", r"\1", match.group(2)))
    return found


USED = strings_in_code()
PAIRS = [(domain, lang) for domain in sorted(USED) for lang in UI_LOCALES]


def test_officer_app_has_its_strings():
    assert len(USED["pwa"]) > 50


@pytest.mark.parametrize("domain", sorted(USED))
def test_template_holds_exactly_the_strings_the_code_shows(domain: str):
    assert template_ids(domain) == USED[domain], f"run `npm run i18n` in frontend/ to refresh locales/{domain}.pot"


@pytest.mark.parametrize(("domain", "lang"), PAIRS)
def test_every_string_is_translated_with_its_placeholders(domain: str, lang: str):
    catalog = load(LOCALES / lang / "LC_MESSAGES" / f"{domain}.po", locale=lang)
    translated = {m.id: m for m in catalog if m.id}
    problems: list[str] = []
    for msgid in sorted(template_ids(domain)):
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
