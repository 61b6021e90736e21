"""Translated interface and notification strings, read from the gettext catalogs in `locales/`.

One catalog (gettext domain) per backend package that shows text to people — `push.po`, `alerts.po`… —
named after the package, plus `pwa.po` for the PWA; `make i18n` extracts each from its own package.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from liaison.i18n.locales import UI_LOCALES, ui_locale

LOCALES_DIR = Path(__file__).resolve().parents[3] / "locales"
DOMAIN = "liaison"


def _po_path(lang: str, domain: str) -> Path:
    return LOCALES_DIR / lang.replace("-", "_") / "LC_MESSAGES" / f"{domain}.po"


@lru_cache(maxsize=64)
def translations(lang: str, domain: str = DOMAIN) -> NullTranslations:
    """Catalog for `lang`, compiled in memory from the .po file, so no build step can leave it stale."""
    path = _po_path(lang, domain)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang.replace("-", "_"), domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def gettext(lang: str, message: str, *, domain: str = DOMAIN, **params: object) -> str:
    """`message` in `lang` from `locales/<lang>/LC_MESSAGES/<domain>.po`; `{name}` placeholders filled from params."""
    text = translations(ui_locale(lang), domain).gettext(message)
    return text.format(**params) if params else text


def ngettext(lang: str, singular: str, plural: str, n: int, *, domain: str = DOMAIN, **params: object) -> str:
    text = translations(ui_locale(lang), domain).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated later, where it is shown."""
    return message


def warm_up() -> None:
    """Every catalog and every interface language's CLDR data loaded now, at start, rather than by the first
    requests after a restart: those are a mass reconnect's, and each language costs tens of milliseconds."""
    package = Path(__file__).resolve().parents[1]
    domains = [pot.stem for pot in LOCALES_DIR.glob("*.pot") if (package / pot.stem).is_dir()]  # not the PWA's
    for lang in UI_LOCALES:
        for domain in domains:
            translations(lang, domain)
        Locale.parse(lang).territories  # noqa: B018  (loads the locale's data)


def all_locales() -> tuple[str, ...]:
    return UI_LOCALES
