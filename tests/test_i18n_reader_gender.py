"""No translation decides the reader's gender: the English never does.

A woman reading "if you are alone (masculine)" learns the bot was not written for her.  These
are forms that a review found and rewrote; the test keeps them from coming back.  It cannot
find every gendered form, so locales/README.md asks translators for neutral wording too.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, shipped_languages

# Second-person forms that mark the reader as a man, per language.
MASCULINE_READER: dict[str, tuple[str, ...]] = {
    "fr": (r"\bvous êtes seul\b", r"\bvous a (peut-être )?forcé\b", r"\bvous devez être traité\b",
           r"\bêtes ni citoyen\b"),
    "es": (r"\bestás solo\b(?! o sola)", r"\beres ciudadano\b"),
    "pt": (r"\bvocê (está|estiver) sozinho\b", r"\bvocê foi traficado\b", r"\bsozinho\b"),
    "ro": (r"\bești singur\b", r"\bai fost traficat\b", r"\bsă fii tratat\b"),
    "pl": (r"\b\w+łeś\b", r"\bpowinieneś\b", r"\bjesteś sam\b", r"\bjesteś obywatelem\b"),
    "ru": (r"\bвы (не )?гражданин\b",),
    "uk": (r"\bви (не )?громадянин\b",),
    "ar": (r"(^|\s)امسح\s", r"(^|\s)استفد\s", r"(^|\s)انظر\s", r"(^|\s)تأكد\s",
           r"كنت مستعدًا", r"تكن مواطنًا"),
}  # fmt: skip


def translations(lang: str) -> list[str]:
    with open(f"{LOCALES_DIR}/{lang}/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    out: list[str] = []
    for message in catalog:
        if message.id and message.string:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            out.extend(s for s in strings if s)
    return out


@pytest.mark.parametrize("lang", sorted(MASCULINE_READER))
def test_no_translation_assumes_the_reader_is_a_man(lang: str) -> None:
    assert lang in shipped_languages()
    found = [
        (pattern, text[:80])
        for text in translations(lang)
        for pattern in MASCULINE_READER[lang]
        if re.search(pattern, text, re.I)
    ]
    assert found == []
