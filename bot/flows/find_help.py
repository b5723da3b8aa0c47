"""Find help near you: a shared location or a typed place, then the nearest services.

The point searched is kept in the chat's in-memory state only, for "more results" and the
category filters; it is never written down, logged, or put in a button.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

from bot.flows import nav
from bot.flows.deps import Deps
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.geo import borders
from bot.i18n import Translator, translator

_PLACE_ID = re.compile(r"-?[0-9]{1,18}")
# `here|PL|yes` / `here|PL|no`: the answer to "Are you in Poland now?"
HERE = "here"


def online_notice(t: Translator, deps: Deps) -> tuple[str, ...]:
    """Said wherever typing a town comes up, when the operator sends typed towns online: the
    person decides what to type knowing who sees it."""
    if deps.typed_places_server is None:
        return ()
    return (
        t.gettext(
            "Town names you type here are looked up by an online map service ({server}). "
            "It receives the name only, not who sent it."
        ).format(server=deps.typed_places_server),
    )


async def ask_where(_route: Route, state: State, deps: Deps) -> Screen:
    t = translator(state.lang)
    text = "\n\n".join(
        (
            t.gettext("Where are you? Type the name of your town or city."),
            t.gettext(
                "Or share a location: tap 📎 (the paper clip), then “Location”. "
                "It does not have to be exactly where you are."
            ),
            t.gettext("I use it for this search only and do not keep it."),
            *online_notice(t, deps),
        )
    )
    rows = (
        (Button(t.pgettext("button", "🌍 Choose country"), route("country", "help")),),
        *nav.footer(t),
    )
    return Screen(
        title=t.gettext("Find help near you"),
        text=text,
        rows=rows,
        state=state.expecting(Expect.PLACE),
    )


async def at_point(
    state: State, deps: Deps, lat: float, lon: float, place_country: str | None = None
) -> Screen:
    """Nearest services around a point.

    The country decides the rights, the emergency number and the helplines shown, so it is
    never switched silently: when the point lies in another country than the chosen one, the
    person is asked first. With no country chosen yet, the point's country is taken.
    """
    t = translator(state.lang)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return await ask_where(route("help"), state, deps)
    if place_country is None:
        place_country = await asyncio.to_thread(borders.country_at, lat, lon)
    if place_country is None and deps.gazetteer is not None:
        place_country = await deps.gazetteer.country_at(lat, lon)  # a coast, a little offshore
    here = state.with_point((lat, lon)).expecting(Expect.NOTHING)
    if state.country is None:
        return await _results_at(here.with_country(place_country), deps, place_country)
    if place_country and place_country != state.country:
        return _ask_if_moved(t, state.lang, here, place_country)
    return await _results_at(here, deps, place_country)


def _ask_if_moved(t: Translator, lang: str, state: State, place_country: str) -> Screen:
    from bot.geo.countries import country_name

    there = country_name(place_country, lang)
    return Screen(
        text=t.gettext(
            "This place is in another country: {there}. Are you there now? Your answer "
            "decides which emergency number and helplines I show."
        ).format(there=there),
        rows=(
            (
                Button(t.pgettext("answer", "Yes"), route(HERE, place_country, "yes")),
                Button(t.pgettext("answer", "No"), route(HERE, place_country, "no")),
            ),
            *nav.footer(t, back=route("help")),
        ),
        state=state,
    )


async def answered_if_moved(r: Route, state: State, deps: Deps) -> Screen:
    """Yes: the person is in that country now. No: keep their country, show services there."""
    code = r.arg(0).upper()
    if state.point is None or len(code) != 2 or not code.isalpha():
        return await ask_where(r, state, deps)
    chosen = state.with_country(code) if r.arg(1) == "yes" else state
    return await _results_at(chosen, deps, code)


async def _results_at(state: State, deps: Deps, place_country: str | None) -> Screen:
    from bot.flows.results import results_screen

    t = translator(state.lang)
    if deps.directory is None or state.point is None:
        return Screen(
            text=t.gettext("The list of services is loading. Please try again in a moment."),
            rows=nav.footer(t, back=route("help")),
            state=state,
        )
    lat, lon = state.point
    disputed = await asyncio.to_thread(borders.is_disputed, lat, lon)
    screen = await results_screen(
        deps.directory,
        t,
        state,
        lat,
        lon,
        back=route("help"),
        near_km=deps.near_km,
        place_country=place_country,
    )
    if disputed and place_country:
        from bot.geo.countries import country_name

        note = t.gettext(
            "This place is in an area whose status is disputed. I show what applies in "
            "{country}, as the map data I use draws it; the law that applies there may differ."
        ).format(country=country_name(place_country, state.lang))
        screen = replace(screen, text=f"{note}\n\n{screen.text}")
    return screen.with_state(screen.state or state)


async def more_results(r: Route, state: State, deps: Deps) -> Screen:
    """More results, a category filter, or the map pins, around the point searched last."""
    from bot.flows.results import RESULTS_MAP, parse_results_route, results_screen

    if state.point is None or deps.directory is None:
        return await ask_where(r, state, deps)
    t = translator(state.lang)
    categories, page = parse_results_route(r)
    lat, lon = state.point
    return await results_screen(
        deps.directory,
        t,
        state,
        lat,
        lon,
        categories,
        page,
        show_map=r.name == RESULTS_MAP,
        back=route("help"),
        near_km=deps.near_km,
    )


async def chosen_place(r: Route, state: State, deps: Deps) -> Screen:
    from bot.flows.places import place_by_id

    place = None
    # Online places have negative ids (bot/geo/online.py); GeoNames ids are positive.
    if deps.places is not None and _PLACE_ID.fullmatch(r.arg(0)):
        place = await place_by_id(deps.places, int(r.arg(0)))
    if place is None:
        return await ask_where(r, state, deps)
    return await at_point(state, deps, place.latitude, place.longitude, place.country)


async def typed_place(state: State, deps: Deps, text: str) -> Screen:
    from bot.flows.places import Choose, Country, Found, NotFound, place_from_text
    from bot.flows.talk import talk

    t = translator(state.lang)
    if deps.places is None:
        code = await deps.country_by_name(text, fuzzy=False)
        if code:
            return await talk(route("talk"), state.with_country(code), deps)
        return Screen(
            text=t.gettext(
                "One moment: I am still preparing the list of places. "
                "Please send the name again in a minute, or share a location."
            ),
            rows=nav.footer(t, back=route("help")),
            state=state,
        )
    outcome = await place_from_text(
        deps.gazetteer,
        t,
        state,
        text,
        places=deps.places,
        country_by_name=deps.country_by_name,
    )
    if isinstance(outcome, Found):
        place = outcome.place
        return await at_point(state, deps, place.latitude, place.longitude, place.country)
    if isinstance(outcome, Country):
        return await talk(route("talk"), state.with_country(outcome.code), deps)
    if isinstance(outcome, Choose | NotFound):
        return outcome.screen
    return await ask_where(route("help"), state, deps)
