"""Which flow answers which route, and what a chat's typed text or location means.

A route whose flow is not registered here does not exist for people: the main menu hides it
and a button that names it opens the main menu.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.flows import country, find_help, menu, nav, restorative, rights, talk
from bot.flows.deps import Deps, Flow
from bot.flows.routes import Route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.i18n import translator

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


# Routes that do something and then show another screen: not a place to come back to.
ACTIONS = frozenset({"setlang", "setc", "forget", "autowipe", "here", "place"})
MAX_TRAIL = 8


async def navigate(r: Route | None, state: State, deps: Deps) -> Screen:
    """What a person's press opens, with Back to the screen they came from.

    The main menu starts the trail afresh; Back steps one screen back; an action (choosing a
    language or a country, say) shows its result with Back to where it was pressed.
    """
    trail = state.trail
    home = r is not None and (r.name == "setlang" or (r.name == "setc" and r.arg(1) == "menu"))
    if r is None or r.name == "menu" or not available(r.name) or home:
        new_trail: tuple[Route, ...] = ()
        back = None
    elif len(trail) >= 2 and r == trail[-2]:
        new_trail = trail[:-1]
        back = new_trail[-2] if len(new_trail) >= 2 else None
    elif trail and r == trail[-1]:
        new_trail = trail
        back = trail[-2] if len(trail) >= 2 else None
    elif r.name in ACTIONS and trail and _landing(r) == trail[-1]:
        new_trail = trail  # it changed something on this same screen (auto-wipe on/off)
        back = trail[-2] if len(trail) >= 2 else None
    elif r.name in ACTIONS:
        new_trail = (*trail, _landing(r))[-MAX_TRAIL:]
        back = trail[-1] if trail else None
    else:
        new_trail = (*trail, r)[-MAX_TRAIL:]
        back = trail[-1] if trail else None
    screen = await open_route(r, state, deps)
    return with_way_back(screen, state, new_trail, back)


def _landing(action: Route) -> Route:
    """The screen an action ends on, as a route Back can open again without redoing it."""
    if action.name == "setc":
        after = action.arg(1) or "rights"
        if after == "help":
            after = "talk"
        if after == "talk" and action.arg(0) == country.NO_COUNTRY:
            return Route("talk", ("intl",))
        return Route(after)
    if action.name == "autowipe":
        return Route("privacy")
    if action.name in ("here", "place"):
        return Route("results", ("all", "0"))
    return action


def with_way_back(
    screen: Screen, state: State, trail: tuple[Route, ...], back: Route | None
) -> Screen:
    """The screen with the trail in its state and Back (when there is somewhere to go) in its
    footer, in place of any Back the flow chose itself."""
    after = replace(screen.state or state, trail=trail)
    footer = next((i for i, row in enumerate(screen.rows) if nav.MENU in _routes(row)), None)
    if footer is None:
        return replace(screen, state=after)
    t = translator(after.lang)
    row = tuple(b for b in screen.rows[footer] if b.label != t.pgettext("button", "◀ Back"))
    if back is not None and back != nav.MENU:
        row = (Button(t.pgettext("button", "◀ Back"), back), *row)
    rows = (*screen.rows[:footer], row, *screen.rows[footer + 1 :])
    return replace(screen, rows=rows, state=after)


def _routes(row: tuple[Button, ...]) -> list[Route]:
    return [b.route for b in row if b.route is not None]


def back_from_here(screen: Screen, state: State) -> Screen:
    """For a typed text or a shared location: Back to the screen it was typed on."""
    trail = state.trail
    return with_way_back(screen, state, trail, trail[-1] if trail else None)


async def open_route(r: Route | None, state: State, deps: Deps) -> Screen:
    """The screen for a route; anything unknown or failing opens the main menu."""
    flow = ROUTES.get(r.name) if r is not None else None
    if flow is None or r is None:
        return await menu.main_menu(Route("menu"), state, deps)
    return await flow(r, state, deps)


async def on_text(state: State, deps: Deps, text: str) -> Screen:
    if state.expect is Expect.PLACE:
        return await find_help.typed_place(state, deps, text)
    # A country name, typed in any shipped language, sets the country and goes where the
    # person was going: the rights picker to that country's rights, talk to talk.
    code = await deps.country_by_name(text)
    if code:
        then = state.country_for if state.expect is Expect.COUNTRY else ""
        if then in country.NEXT_SCREENS and then != "menu":
            return await country.set_country(Route("setc", (code, then)), state, deps)
        return await talk.talk(Route("talk"), state.with_country(code), deps)
    return await menu.not_understood(Route("menu"), state, deps)


async def on_location(state: State, deps: Deps, lat: float, lon: float) -> Screen:
    return await find_help.at_point(state, deps, lat, lon)
