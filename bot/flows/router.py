"""Which flow answers which route, and what a chat's typed text or location means.

A route whose flow is not registered here does not exist for people: the main menu hides it
and a button that names it opens the main menu.
"""

from __future__ import annotations

import logging

from bot.flows import country, find_help, menu, restorative, rights, talk
from bot.flows.deps import Deps, Flow
from bot.flows.routes import Route
from bot.flows.screen import Screen
from bot.flows.state import Expect, State

log = logging.getLogger("waypoint.flows")

ROUTES: dict[str, Flow] = {
    "menu": menu.main_menu,
    "helpme": menu.help_screen,
    "lang": menu.language_picker,
    "setlang": menu.set_language,
    "privacy": menu.privacy_page,
    "forget": menu.forgotten,
    "autowipe": menu.set_auto_wipe,
    "unreadable": menu.not_understood,
    "talk": talk.talk,
    "help": find_help.ask_where,
    "results": find_help.more_results,
    "results_map": find_help.more_results,
    "place": find_help.chosen_place,
    "here": find_help.answered_if_moved,
    **rights.ROUTES,
    **restorative.ROUTES,
    **country.ROUTES,
}


def available(name: str) -> bool:
    return name in ROUTES


async def open_route(r: Route | None, state: State, deps: Deps) -> Screen:
    """The screen for a route; anything unknown or failing opens the main menu."""
    flow = ROUTES.get(r.name) if r is not None else None
    if flow is None or r is None:
        return await menu.main_menu(Route("menu"), state, deps)
    return await flow(r, state, deps)


async def on_text(state: State, deps: Deps, text: str) -> Screen:
    if state.expect is Expect.PLACE:
        return await find_help.typed_place(state, deps, text)
    if deps.gazetteer is not None:
        # A country name, typed in any shipped language, sets the country and goes where the
        # person was going: the rights picker to that country's rights, talk to talk.
        code = await deps.gazetteer.country_by_name(text)
        if code:
            then = state.country_for if state.expect is Expect.COUNTRY else ""
            if then in country.NEXT_SCREENS and then != "menu":
                return await country.set_country(Route("setc", (code, then)), state, deps)
            return await talk.talk(Route("talk"), state.with_country(code), deps)
    return await menu.not_understood(Route("menu"), state, deps)


async def on_location(state: State, deps: Deps, lat: float, lon: float) -> Screen:
    return await find_help.at_point(state, deps, lat, lon)
