"""Find help near you: a shared location or a typed place, then the nearest services.

The point searched is kept in the chat's in-memory state only, for "more results" and the
category filters; it is never written down, logged, or put in a button.
"""

from __future__ import annotations

import re

from bot.flows import nav
from bot.flows.deps import Deps
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.i18n import Translator, translator

_PLACE_ID = re.compile(r"-?[0-9]{1,18}")


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


async def at_point(state: State, deps: Deps, lat: float, lon: float) -> Screen:
    """Nearest services around a point; the point's country becomes the chat's country."""
    from bot.flows.results import results_screen

    t = translator(state.lang)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return await ask_where(route("help"), state, deps)
    country = state.country
    if deps.gazetteer is not None:
        country = await deps.gazetteer.country_at(lat, lon) or country
    new_state = state.with_country(country).with_point((lat, lon)).expecting(Expect.NOTHING)
    if deps.directory is None:
        return Screen(
            text=t.gettext("The list of services is loading. Please try again in a moment."),
            rows=nav.footer(t, back=route("help")),
            state=new_state,
        )
    screen = await results_screen(deps.directory, t, new_state, lat, lon, back=route("help"))
    return screen.with_state(screen.state or new_state)


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
    )


async def chosen_place(r: Route, state: State, deps: Deps) -> Screen:
    from bot.flows.places import place_by_id

    place = None
    # Online places have negative ids (bot/geo/online.py); GeoNames ids are positive.
    if deps.places is not None and _PLACE_ID.fullmatch(r.arg(0)):
        place = await place_by_id(deps.places, int(r.arg(0)))
    if place is None:
        return await ask_where(r, state, deps)
    return await at_point(state.with_country(place.country), deps, place.latitude, place.longitude)


async def typed_place(state: State, deps: Deps, text: str) -> Screen:
    from bot.flows.places import Choose, Country, Found, NotFound, place_from_text
    from bot.flows.talk import talk

    t = translator(state.lang)
    if deps.places is None:
        return Screen(
            text=t.gettext(
                "One moment: I am still preparing the list of places. "
                "Please send the name again in a minute, or share a location."
            ),
            rows=nav.footer(t, back=route("help")),
            state=state,
        )
    outcome = await place_from_text(deps.gazetteer, t, state, text, places=deps.places)
    if isinstance(outcome, Found):
        place = outcome.place
        return await at_point(
            state.with_country(place.country), deps, place.latitude, place.longitude
        )
    if isinstance(outcome, Country):
        return await talk(route("talk"), state.with_country(outcome.code), deps)
    if isinstance(outcome, Choose | NotFound):
        return outcome.screen
    return await ask_where(route("help"), state, deps)
