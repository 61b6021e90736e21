"""Which language to answer in: the account's locale, else Accept-Language, then English, then French."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from litestar import Request

# Interface languages with a full catalog in locales/; authored content may carry any language.
UI_LOCALES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "pl", "nl", "pt", "ar")
FALLBACK_CHAIN: tuple[str, ...] = ("en", "fr")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})


@lru_cache(maxsize=4096)
def normalize(tag: str) -> str:
    """`pt-br`, `pt_BR` and `PT-BR` all become `pt-BR` (BCP 47 casing)."""
    parts = tag.strip().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return ""
    head, rest = parts[0].lower(), parts[1:]
    return "-".join([head, *[p.upper() if len(p) == 2 else p.title() for p in rest]])


def is_known_locale(tag: str) -> bool:
    try:
        Locale.parse(normalize(tag), sep="-")
    except (ValueError, UnknownLocaleError):
        return False
    return True


def parse_accept_language(header: str | None) -> list[str]:
    """Languages from an Accept-Language header, best first (q=0 dropped)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag.strip() != "*" and q > 0:
            weighted.append((-q, index, normalize(tag)))
    return [tag for _, _, tag in sorted(weighted)]


def choose(available: Sequence[str], preferred: Iterable[str]) -> str | None:
    """The best of `available` for the `preferred` list, falling back from `pt-BR` to `pt` and back."""
    avail = [normalize(a) for a in available]
    prefs = [normalize(p) for p in preferred if p]
    # Babel wants one separator on both sides, and does not fall back from a region to its language.
    hit = negotiate_locale(prefs, avail, sep="-")
    if hit:
        return hit
    for pref in prefs:
        base = pref.split("-")[0]
        for a in avail:
            if a.split("-")[0] == base:
                return a
    return None


def content_language(available: Sequence[str], account_locale: str | None, accept_language: str | None) -> str:
    """For authored content: caller's locale, then Accept-Language, then English, then French, then any."""
    preferred = [p for p in (account_locale, *parse_accept_language(accept_language)) if p]
    return choose(available, preferred) or choose(available, FALLBACK_CHAIN) or normalize(available[0])


@lru_cache(maxsize=4096)
def ui_locale(account_locale: str | None, accept_language: str | None = None) -> str:
    """The interface language for a caller, always one we have a catalog for."""
    return content_language(UI_LOCALES, account_locale, accept_language)


def caller_locale(request: Request[Any, Any, Any]) -> str:
    """The interface language for a signed-in request: the account's locale, else its Accept-Language."""
    return ui_locale(getattr(request.user, "locale", None), request.headers.get("accept-language"))


def is_rtl(tag: str) -> bool:
    return normalize(tag).split("-")[0] in RTL_LANGUAGES


@lru_cache(maxsize=4096)
def country_name(code: str, locale: str) -> str:
    """The country's name in `locale` from CLDR (Babel), English when the locale is unknown."""
    try:
        loc = Locale.parse(normalize(locale), sep="-")
    except (ValueError, UnknownLocaleError):
        loc = Locale("en")
    return loc.territories.get(code.upper()) or Locale("en").territories.get(code.upper(), code.upper())


@lru_cache(maxsize=1024)
def language_name(tag: str, locale: str) -> str:
    try:
        loc = Locale.parse(normalize(locale), sep="-")
        return Locale.parse(normalize(tag), sep="-").get_display_name(loc) or tag
    except (ValueError, UnknownLocaleError):
        return tag
