"""`/start <payload>` from an outreach link: preset language and country, open a topic.

A link may name a language whose catalog has not shipped yet; the chat then keeps the
language it had, so the person is never shown a screen half in a language they did not choose.
"""

from __future__ import annotations

from bot.flows.routes import Route, route
from bot.flows.state import State
from bot.i18n import shipped_languages
from bot.outreach.payload import Topic, decode

_TOPIC_ROUTES: dict[Topic, str] = {
    Topic.RIGHTS: "rights",
    Topic.RESTORATIVE: "rj",
    # "help" opens the national services of the country: a person answers there.
    Topic.HELP: "talk",
}


def state_from_payload(payload: str | None, state: State) -> tuple[State, Route]:
    """The chat's state after the link, and the route to open; garbage opens the menu as is."""
    link = decode(payload) if payload else None
    if link is None:
        return state, route("menu")
    if link.lang in shipped_languages():
        state = state.with_lang(link.lang)
    if link.country:
        state = state.with_country(link.country)
    if link.topic is None:
        return state, route("menu")
    return state, route(_TOPIC_ROUTES[link.topic])
