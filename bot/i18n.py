"""Words live in gettext catalogs (locales/<ll>/LC_MESSAGES/messages.po).

`translator(lang)` gives the functions flows use: gettext, ngettext, pgettext.
Messages use named placeholders (`{name}`) filled with str.format after translation.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANG = "en"


class Translator:
    """The gettext functions for one language, falling back to the English source."""

    def __init__(self, lang: str, translations: _gettext.NullTranslations) -> None:
        self.lang = lang
        self._t = translations

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)


@lru_cache(maxsize=64)
def translator(lang: str) -> Translator:
    try:
        translations: _gettext.NullTranslations = _gettext.translation(
            DOMAIN, localedir=str(LOCALES_DIR), languages=[lang]
        )
    except OSError:
        translations = _gettext.NullTranslations()
    return Translator(lang, translations)
