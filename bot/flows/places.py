"""A typed place name in the find-help flow: one place, a choice, a country, or not found.

What the person typed is never repeated back, not even in "not found": a watched phone may be
read later.  Nothing typed is logged or kept.  The gazetteer is searched offline, unless the
operator configured an online geocoder (`places`, see bot/geo/online.py); country names and
landmarks are still looked up offline then.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.flows import nav
from bot.flows.routes import route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.geo import Gazetteer, Match, Place
from bot.geo.countries import country_name
from bot.i18n import Translator

if TYPE_CHECKING:  # pragma: no cover - typing only
    from bot.geo.online import Places

# "Germany" -> "DE", with or without one typo forgiven; None when unsure.
CountryByName = Callable[[str, bool], Awaitable[str | None]]

MAX_TYPED = 100  # longer is not a place name
CHOICES = 5
# A place this many times larger than the next one of the same name is what people mean
# ("Paris" is Paris, France, unless the chat's country puts Paris, Texas first).
CLEAR_LEAD = 5
# Button labels longer than this are cut on many phones.
LABEL_CHARS = 30


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


# Scripts whose words are spelt letter by letter, where a name one letter off is a typo
# ("Manchestr").  In Arabic, Thai or Chinese a near miss is as often another word, so it is
# offered as a question ("Did you mean …?"), never taken as the answer.
_TYPO_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def typos_are_letters(typed: str) -> bool:
    """True when every letter typed is Latin, Cyrillic or Greek."""
    return all(
        unicodedata.name(char, "").startswith(_TYPO_SCRIPTS) for char in typed if char.isalpha()
    )


def not_found(t: Translator, state: State) -> NotFound:
    text = "\n\n".join(
        (
            t.gettext("I could not find that place."),
            t.gettext("You can type the name of a town or city again, or a larger town nearby."),
            t.gettext(
                "Or share a location: tap 📎 (the paper clip), then “Location”. "
                "It does not have to be exactly where you are."
            ),
        )
    )
    rows = (
        (Button(t.pgettext("button", "🔁 Try again"), route("help")),),
        (Button(t.pgettext("button", "🌍 Choose country"), route("country", "help")),),
        *nav.footer(t, back=route("help")),
    )
    return NotFound(Screen(text=text, rows=rows, state=state.expecting(Expect.PLACE)))


def _options(places: list[Place]) -> list[Place]:
    """The places worth offering: all of the typed name, or those of the closest near-miss.

    "Richmond" is no answer to "Manchestr"; every place called Springfield is one to
    "Springfield".
    """
    top = places[0]
    if top.match is Match.EXACT:
        return [p for p in places if p.match is Match.EXACT]
    return [p for p in places if p.match is top.match and p.name == top.name]


def _is_clear(options: list[Place]) -> bool:
    if len(options) == 1:
        return True
    return options[0].population >= CLEAR_LEAD * max(options[1].population, 1)


def _fit(label: str) -> str:
    return label if len(label) <= LABEL_CHARS + 10 else label[: LABEL_CHARS + 9] + "…"


async def choice_labels(
    gazetteer: Gazetteer | None, t: Translator, state: State, places: list[Place]
) -> list[str]:
    """Short button labels a person can tell apart: "Springfield, Illinois", "Paris, France".

    The state or region where GeoNames has one, else the country; where two labels still
    read the same, a larger town nearby ("Neustadt, near Hanover").
    """
    labels: list[str] = []
    for place in places:
        where = place.admin1 or country_name(place.country, state.lang)
        label = t.pgettext("place label", "{place}, {region}").format(
            place=place.name, region=where
        )
        if len(label) > LABEL_CHARS and place.admin1:
            label = t.pgettext("place label", "{place}, {region}").format(
                place=place.name, region=place.country
            )
        labels.append(label)
    for index, place in enumerate(places):
        if gazetteer is None or labels.count(labels[index]) < 2:
            continue
        landmark = await gazetteer.landmark(place)
        if landmark is not None and landmark.name != place.name:
            labels[index] = t.pgettext("place label", "{place}, near {town}").format(
                place=place.name, town=landmark.name
            )
    repeated = {label for label in labels if labels.count(label) > 1}
    seen: dict[str, int] = {}
    for index, label in enumerate(labels):
        # Two places still alike: number them rather than show one label twice.
        if label in repeated:
            seen[label] = seen.get(label, 0) + 1
            labels[index] = f"{label} ({seen[label]})"
    return [_fit(label) for label in labels]


async def place_from_text(
    gazetteer: Gazetteer | None,
    t: Translator,
    state: State,
    text: str,
    *,
    places: Places | None = None,
    country_by_name: CountryByName | None = None,
) -> PlaceOutcome:
    """What a typed place name means: a place, a choice of places, a country, or nothing.

    Places are looked up in `places` (default: the gazetteer), country names with
    `country_by_name` (default: the gazetteer's).
    """
    named = country_by_name or (gazetteer.country_by_name if gazetteer is not None else None)

    async def country_named(fuzzy: bool) -> str | None:
        return await named(typed, fuzzy) if named is not None else None

    lookup = places if places is not None else gazetteer
    typed = " ".join(text.split()) if isinstance(text, str) else ""
    if not typed or len(typed) > MAX_TYPED:
        return not_found(t, state)
    # "Deutschland" is a country before it is any village of that name; a typo of a country
    # ("Germny") counts as the country unless a place bears exactly the name typed ("Yalta"
    # is a town, not a typo of Malta).  Country names never go online.
    country = await country_named(fuzzy=False)
    if country:
        return Country(country)
    if lookup is None:
        return not_found(t, state)
    found = await lookup.find(typed, limit=CHOICES, country=state.country)
    if not found or found[0].match is not Match.EXACT:
        country = await country_named(fuzzy=True)
        if country:
            return Country(country)
    if not found:
        return not_found(t, state)
    options = _options(found)
    near_miss = options[0].match is not Match.EXACT and not typos_are_letters(typed)
    if _is_clear(options) and not near_miss:
        return Found(options[0])
    labels = await choice_labels(gazetteer, t, state, options)
    rows = tuple(
        (Button(label, route("place", str(place.geonameid))),)
        for label, place in zip(labels, options, strict=True)
    )
    question = (
        t.gettext("I did not find that name exactly. Did you mean this place?")
        if near_miss
        else t.gettext("There are several places with that name. Which one?")
    )
    screen = Screen(
        text=question,
        rows=(
            *rows,
            (Button(t.pgettext("button", "🔁 Type another place"), route("help")),),
            *nav.footer(t, back=route("help")),
        ),
        state=state.expecting(Expect.PLACE),
    )
    return Choose(screen)


async def place_by_id(places: Places, geonameid: int) -> Place | None:
    """The place behind a choice button; None for an id no longer or never held."""
    return await places.get(geonameid)
