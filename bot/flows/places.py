"""A typed place name in the find-help flow: one place, a choice, a country, or not found.

What the person typed is never repeated back: a watched phone may be read later.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.flows import nav
from bot.flows.routes import route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.geo import Gazetteer, Place
from bot.i18n import Translator

MAX_TYPED = 100  # longer is not a place name
CHOICES = 5
# A place this many times larger than the next one of the same name is what people mean.
CLEAR_LEAD = 5


@dataclass(frozen=True)
class Found:
    place: Place


@dataclass(frozen=True)
class Choose:
    screen: Screen


@dataclass(frozen=True)
class Country:
    code: str


@dataclass(frozen=True)
class NotFound:
    screen: Screen


PlaceOutcome = Found | Choose | Country | NotFound


def not_found(t: Translator, state: State) -> NotFound:
    text = "\n\n".join(
        (
            t.gettext("I could not find that place."),
            t.gettext(
                "You can type the name of a town or city again, share a location "
                "(📎, then “Location”), or choose your country."
            ),
        )
    )
    rows = (
        (Button(t.pgettext("button", "🔁 Try again"), route("help")),),
        (Button(t.pgettext("button", "🌍 Choose country"), route("country", "help")),),
        *nav.footer(t, back=route("help")),
    )
    return NotFound(Screen(text=text, rows=rows, state=state.expecting(Expect.PLACE)))


def _clear_winner(places: list[Place]) -> bool:
    if len(places) == 1:
        return True
    top, second = places[0], places[1]
    if top.match > second.match:
        return True
    return top.population >= CLEAR_LEAD * max(second.population, 1)


async def place_from_text(
    gazetteer: Gazetteer, t: Translator, state: State, text: str
) -> PlaceOutcome:
    typed = " ".join(text.split())
    if not typed or len(typed) > MAX_TYPED:
        return not_found(t, state)
    country = await gazetteer.country_by_name(typed, fuzzy=False)
    if country:
        return Country(country)
    places = await gazetteer.find(typed, limit=CHOICES, country=state.country)
    if not places:
        country = await gazetteer.country_by_name(typed, fuzzy=True)
        return Country(country) if country else not_found(t, state)
    # Only places of the same name are a real choice; "Richmond" is no answer to "Manchestr".
    places = [p for p in places if p.match == places[0].match and p.name == places[0].name]
    if _clear_winner(places):
        return Found(places[0])
    best = places
    rows = tuple(
        (Button(p.label(state.lang)[:64], route("place", str(p.geonameid))),) for p in best
    )
    screen = Screen(
        text=t.gettext("There are several places with that name. Which one?"),
        rows=(*rows, *nav.footer(t, back=route("help"))),
        state=state.expecting(Expect.PLACE),
    )
    return Choose(screen)


async def place_by_id(gazetteer: Gazetteer, geonameid: int) -> Place | None:
    return await gazetteer.get(geonameid)
