"""The words that trigger quick exit: the ones people type, and never one they say to greet."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from bot.handlers.exit import exit_words, normalise
from bot.i18n import shipped_languages, translator

REPLIES = Path(__file__).parent / "data" / "common_replies.csv"


def common_replies() -> dict[str, set[str]]:
    with REPLIES.open(encoding="utf-8") as f:
        return {
            row["language"]: {normalise(w) for w in row["words"].split("|")}
            for row in csv.DictReader(f)
        }


def words_of(lang: str) -> set[str]:
    listed = translator(lang).pgettext("exit words", "exit|quit")
    return {normalise(w) for w in listed.split("|") if w.strip()}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("uk", {"вийти", "вихід"}),
        ("es", {"salir", "salida"}),
        ("fr", {"sortir", "sortie"}),
        ("pt", {"sair", "saída"}),
        ("vi", {"thoát", "thoát nhanh"}),
        ("ar", {"خروج", "خروج سريع", "اخرج"}),
        ("tl", {"lumabas"}),
        ("sq", {"dalje"}),
    ],
)
def test_each_language_accepts_the_verb_and_the_noun_people_type(lang, expected) -> None:
    assert {normalise(w) for w in expected} <= words_of(lang)


def test_quit_and_exit_work_in_every_language() -> None:
    assert {"exit", "quit"} <= exit_words()


def test_no_exit_word_is_a_greeting_or_everyday_reply_in_another_language() -> None:
    replies = common_replies()
    clashes = []
    for lang in shipped_languages():
        for word in words_of(lang):
            for other, common in replies.items():
                if other != lang and word in common:
                    clashes.append(f"{lang} {word!r} is an everyday word in {other}")
    assert not clashes, clashes


def test_no_exit_word_is_a_one_word_answer_elsewhere_in_the_catalogs() -> None:
    # A one-word message of another language (a button such as "Yes") must not wipe a chat.
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "locales"
    words = exit_words()
    found = []
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            catalog = read_po(f)
        for message in catalog:
            if message.context == "exit words" or not isinstance(message.string, str):
                continue
            if message.id == "✖ Quick exit":
                continue  # the button's own label: typing it is meant to quit
            text = normalise(re.sub(r"^\W+", "", message.string))  # without a leading emoji
            if text in words:
                found.append(f"{po.parent.parent.name}: {message.string!r}")
    assert not found, found


def test_the_lithuanian_greeting_and_the_turkish_word_for_language_do_not_wipe() -> None:
    assert "labas" not in exit_words()
    assert "dil" not in exit_words()
