"""Country names in the languages the bot speaks, from CLDR via Babel."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

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
