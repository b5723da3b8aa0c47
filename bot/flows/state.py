"""The little a chat has: its language, its country, and what a typed text will mean next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.flows.routes import Route


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
    # The last searched point, for "more results" and filters.  Held in memory only: the
    # store keeps lang and country and nothing else, and routes never carry coordinates.
    point: tuple[float, float] | None = None
    # Wipe the chat after 30 minutes of silence; in memory only, like `point`.
    auto_wipe: bool = False
    # Where a typed country name leads while a country is asked for ("rights", "talk", …).
    country_for: str = ""
    # The screens that led here, oldest first, the current one last: where Back goes.
    # In memory only, like `point`; routes never carry anything about the person.
    trail: tuple[Route, ...] = ()

    def with_lang(self, lang: str) -> State:
        return replace(self, lang=lang, lang_chosen=True)

    def with_country(self, country: str | None) -> State:
        return replace(self, country=country.upper() if country else None)

    def with_point(self, point: tuple[float, float] | None) -> State:
        return replace(self, point=point)

    def expecting(self, expect: Expect) -> State:
        return replace(self, expect=expect)

    def expecting_country(self, then: str) -> State:
        """A typed country name is taken next, and opens `then` for that country."""
        return replace(self, expect=Expect.COUNTRY, country_for=then)
