"""The little a chat has: its language, its country, and what a typed text will mean next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Expect(StrEnum):
    """What the next plain text in the chat is taken as."""

    NOTHING = ""
    PLACE = "place"  # find-help: a town or place name
    COUNTRY = "country"  # a country name


@dataclass(frozen=True)
class State:
    lang: str = "en"
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    expect: Expect = Expect.NOTHING
    # True once the person (or a deep link) chose the language, so Telegram's
    # language_code no longer overrides it.
    lang_chosen: bool = False

    def with_lang(self, lang: str) -> State:
        return replace(self, lang=lang, lang_chosen=True)

    def with_country(self, country: str | None) -> State:
        return replace(self, country=country.upper() if country else None)

    def expecting(self, expect: Expect) -> State:
        return replace(self, expect=expect)
