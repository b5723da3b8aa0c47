"""Each catalog keeps one word per key term, and says "victim" only where the English does.

The words live in the glossary table of locales/README.md, where a reviewer reads them; this
test holds every catalog to that table.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, shipped_languages

README = Path(LOCALES_DIR) / "README.md"
TERMS = ("trafficking", "survivor", "restorative justice", "quick exit")
# Where each term occurs in the English.  "Trafficking" inside an English proper name that the
# catalogs keep as it is (a hotline's or an order's name) does not count.
ENGLISH = {
    "trafficking": re.compile(
        r"(?<!Human )(?<!Slavery and )\b[Tt]rafficking\b(?! Hotline| Reparation)"
    ),
    "survivor": re.compile(r"\bsurvivors?\b", re.I),
    "restorative justice": re.compile(r"restorative justice", re.I),
    "quick exit": re.compile(r"\bquick exit\b", re.I),
}
VICTIM = re.compile(r"victim", re.I)
BUTTON_MAX = 28  # characters a phone shows whole on one button
SAMPLE_FILL = "Germany"  # a typical value for a {placeholder} in a button


def _pattern(cell: str) -> re.Pattern[str]:
    forms = [form.strip() for form in cell.replace("\\|", "\x00").split("\x00")]
    return re.compile(
        "|".join(re.escape(form).replace("…", r"\w*") for form in forms if form), re.I
    )


@lru_cache(maxsize=1)
def glossary() -> dict[str, dict[str, re.Pattern[str]]]:
    text = README.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| code | trafficking |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    rows: dict[str, dict[str, re.Pattern[str]]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.replace("\\|", "\x00").strip("|").split("|")]
        if len(cells) != len(columns) or not re.fullmatch(r"[a-z]{2}", cells[0]):
            continue
        rows[cells[0]] = {
            ("victim" if name.startswith("victim") else name): _pattern(cell.replace("\x00", "\\|"))
            for name, cell in zip(columns[1:], cells[1:], strict=True)
        }
    return rows


def _messages(lang: str) -> list[tuple[str | None, str, str]]:
    path = Path(LOCALES_DIR) / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    return [
        (m.context, m.id, m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    ]


LANGS = [lang for lang in shipped_languages() if lang != "en"]


def test_every_shipped_language_has_a_glossary_row() -> None:
    assert sorted(set(LANGS) - set(glossary())) == []


@pytest.mark.parametrize("lang", LANGS)
def test_each_term_has_one_word_on_every_screen(lang: str) -> None:
    row = glossary()[lang]
    missing = [
        f"{term!r} not as {row[term].pattern!r} in: {msgid[:60]!r}"
        for _ctx, msgid, text in _messages(lang)
        for term in TERMS
        if ENGLISH[term].search(msgid) and not row[term].search(text)
    ]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_victim_only_where_the_english_says_victim(lang: str) -> None:
    victim = glossary()[lang]["victim"]
    extra = [
        msgid[:60]
        for _ctx, msgid, text in _messages(lang)
        if len(victim.findall(text)) > len(VICTIM.findall(msgid))
    ]
    assert extra == []


@pytest.mark.parametrize("lang", LANGS)
def test_buttons_fit_on_a_phone(lang: str) -> None:
    long = [
        label
        for ctx, _msgid, label in _messages(lang)
        if ctx in ("button", "menu")
        and len(re.sub(r"\{[a-z_]*\}", SAMPLE_FILL, label)) > BUTTON_MAX
    ]
    assert long == []


def test_the_glossary_catches_a_slip() -> None:
    row = glossary()["uk"]
    assert row["trafficking"].search("постраждалі від торгівлі людьми")
    assert not row["trafficking"].search("постраждалі від трафіку")
    assert row["victim"].search("жертвою торгівлі людьми")
