"""Words live in gettext catalogs (locales/<ll>/LC_MESSAGES/messages.po).

`translator(lang)` gives the functions flows use: gettext, ngettext, pgettext.
Messages use named placeholders (`{name}`) filled with str.format after translation.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
import os
import re
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANG = "en"


# While set (by the content book), every message looked up is noted: (context, msgid).
used_messages: contextvars.ContextVar[list[tuple[str | None, str]] | None] = (
    contextvars.ContextVar("used_messages", default=None)
)
# A translator comment starting with this marks a message a native speaker has checked.
REVIEWED_MARK = "reviewed"


class Translator:
    """The gettext functions for one language, falling back to the English source."""

    def __init__(self, lang: str, translations: _gettext.NullTranslations) -> None:
        self.lang = lang
        self._t = translations

    def gettext(self, message: str) -> str:
        _note(None, message)
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        _note(None, singular)
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        _note(context, message)
        return self._t.pgettext(context, message)


def _note(context: str | None, message: str) -> None:
    used = used_messages.get()
    if used is not None:
        used.append((context, message))


@lru_cache(maxsize=32)
def review_status(lang: str, locales_dir: Path = LOCALES_DIR) -> tuple[frozenset, int]:
    """(messages marked reviewed, all translated messages) of a catalog.

    A reviewer marks a message with a translator comment `# reviewed: YYYY-MM-DD name`.
    """
    from babel.messages.pofile import read_po

    path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return frozenset(), 0
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    reviewed = set()
    total = 0
    for message in catalog:
        if not message.id:
            continue
        total += 1
        if any(c.strip().lower().startswith(REVIEWED_MARK) for c in message.user_comments):
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            reviewed.add((message.context, msgid))
    return frozenset(reviewed), total


class CatalogError(Exception):
    """A catalog that does not compile; the message names the file and line."""


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Compile every missing or stale .mo with Babel, so any way of starting the bot works.

    .mo files are not committed; a PaaS dyno, a server or a test run compiles them here.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    compiled = []
    for po_path in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        lang = po_path.parent.parent.name
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=lang, abort_invalid=True)
        except PoFileError as exc:
            raise CatalogError(f"{po_path}:{exc.lineno}: {exc}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{po_path}: {exc}") from None
        # Another process (a test, a second worker) may compile at the same moment.
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        compiled.append(mo_path)
    if compiled:
        translator.cache_clear()
    return compiled


_compiled_once = False


@lru_cache(maxsize=64)
def translator(lang: str) -> Translator:
    global _compiled_once
    if not _compiled_once:
        # Whoever asks first (the bot, a test, `python -m bot card`) gets compiled catalogs;
        # a catalog that does not compile is reported by `python -m bot` and the CI gate.
        _compiled_once = True
        with contextlib.suppress(CatalogError, OSError):
            compile_catalogs()
    try:
        translations: _gettext.NullTranslations = _gettext.translation(
            DOMAIN, localedir=str(LOCALES_DIR), languages=[lang]
        )
    except OSError:
        translations = _gettext.NullTranslations()
    return Translator(lang, translations)


def shipped_languages() -> tuple[str, ...]:
    """English plus every locale with a catalog; CI keeps each of those complete."""
    found = sorted(
        p.parent.parent.name
        for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")
        if p.parent.parent.name != SOURCE_LANG
    )
    return (SOURCE_LANG, *found)


def negotiate(language_code: str | None) -> str:
    """Telegram's language_code (e.g. "pt-br") to the best shipped language, else English."""
    if not language_code:
        return SOURCE_LANG
    from babel import negotiate_locale

    shipped = shipped_languages()
    wanted = language_code.replace("-", "_").lower()
    # Telegram may say "fil" for Filipino, whose catalog lives under "tl".
    wanted = {"fil": "tl"}.get(wanted.split("_")[0], wanted)
    best = negotiate_locale([wanted, wanted.split("_")[0]], list(shipped), sep="_")
    return best or SOURCE_LANG


def language_name(lang: str) -> str:
    """A language named in its own words ("Español", "Українська")."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse("zh_Hans" if lang == "zh" else lang)
        name = (
            locale.get_display_name(locale)
            if lang == "zh"
            else locale.get_language_name(locale)
        ) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name[:1].upper() + name[1:]


RIGHT_TO_LEFT = frozenset({"ar"})
# A left-to-right run inside right-to-left text: Latin words, numbers, phone numbers, links.
# Letters and digits written left to right: ASCII, Latin-1, Latin Extended-A/B and Latin
# Extended Additional (Vietnamese), so "Víctimas" or "Sürya" stay one run.
_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_LTR_RUN = re.compile(
    rf"[+(]?[{_LATIN}](?:[{_LATIN}+\-./:@_%#=?&'’ ()]*[{_LATIN})/])?"
)
LRI, PDI = "\u2066", "\u2069"


def isolate_ltr_runs(text: str, lang: str) -> str:
    """Wrap left-to-right runs in Unicode isolates on right-to-left screens.

    Without them an Arabic line with "+44 800 012 1700" or "T visa (NRM)" can show the
    number's plus sign at the wrong end or the words in the wrong order.
    """
    if lang not in RIGHT_TO_LEFT:
        return text
    isolated = _LTR_RUN.sub(_isolate, text)
    # Between runs and Arabic words a list is separated by the Arabic comma.
    return re.sub(r"(?<=[^\d]), (?=[^\d])", "، ", isolated)


def _isolate(match: re.Match[str]) -> str:
    """One run in an isolate, with brackets it does not close (or open) left outside.

    "(NRM)" must be isolated whole, brackets included, and "(Art. 12(1)(a))" too; a closing
    bracket that belongs to the surrounding Arabic sentence must stay in it, or Telegram
    shows "NRM))".
    """
    run = match.group(0)
    start, end = 0, len(run)
    while end > start and run[end - 1] == ")" and (
        run.count(")", start, end) > run.count("(", start, end)
    ):
        end -= 1
    if run[start] == "(" and run.count("(", start, end) > run.count(")", start, end):
        start += 1
    while end > start and run[end - 1] == " ":
        end -= 1
    if start >= end:
        return run
    return f"{run[:start]}{LRI}{run[start:end]}{PDI}{run[end:]}"
