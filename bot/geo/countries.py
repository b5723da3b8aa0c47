"""Country names in the languages the bot speaks, from CLDR via Babel."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

SHIPPED_LANGUAGES: tuple[str, ...] = (
    "en", "es", "fr", "pt", "ro", "bg", "ru", "uk", "pl", "sq", "ar", "vi", "zh", "tl", "th",
)  # fmt: skip

# Our language codes that CLDR knows under another name.
_CLDR_LOCALE = {"zh": "zh_Hans", "tl": "fil"}

# Names people commonly type that CLDR does not list as the territory's name.
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "United States of America", "America", "EEUU", "EE UU", "США"),
    "GB": ("UK", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland"),
    "AE": ("UAE", "Emirates"),
    "CZ": ("Czech Republic",),
    "NL": ("Holland",),
    "MK": ("Macedonia",),
    "TR": ("Turkey",),
    "CI": ("Ivory Coast",),
    "CD": ("DRC", "DR Congo"),
    "KR": ("South Korea",),
    "KP": ("North Korea",),
    "RU": ("Russia",),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde",),
}


@lru_cache(maxsize=256)
def babel_locale(lang: str) -> Locale:
    """The Babel locale for one of our language codes; English when CLDR has no such locale."""
    try:
        return Locale.parse(_CLDR_LOCALE.get(lang, lang).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale("en")


def country_name(code: str, lang: str) -> str:
    """The country's name in `lang`, falling back to English and then to the code itself."""
    code = (code or "").upper()
    if not code:
        return ""
    name = babel_locale(lang).territories.get(code)
    if name is None:
        name = Locale("en").territories.get(code, code)
    return str(name)
