"""Talk to a person now: the national hotlines and the emergency number of the person's country."""

from __future__ import annotations

from bot.flows import nav
from bot.flows.deps import Deps
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.i18n import translator

# Categories that mean "a person answers": shown on this screen, national services only.
PERSON_CATEGORIES = ("hotline", "general_support", "counselling", "legal", "labour")


async def talk(_route: Route, state: State, deps: Deps) -> Screen:
    t = translator(state.lang)
    if not state.country or deps.directory is None:
        return Screen(
            title=t.gettext("Talk to a person now"),
            text=t.gettext(
                "Which country are you in? Then I can show you helplines there. "
                "You can also type the name of the country."
            ),
            rows=(
                (Button(t.pgettext("button", "🌍 Choose country"), route("country", "talk")),),
                *nav.footer(t),
            ),
            state=state.expecting(Expect.COUNTRY),
        )
    from bot.flows.results import contact_card

    lines = [contact_card(t, state.lang, s) for s in await deps.directory.national(state.country)]
    lines = [line for line in lines if line]
    if not lines:
        lines = [
            t.gettext(
                "I do not know a helpline in this country yet. "
                "If you are in danger, call the local emergency number."
            )
        ]
    return Screen(
        title=t.gettext("Talk to a person now"),
        text="\n\n".join(lines),
        rows=(
            (Button(t.pgettext("button", "🌍 Change country"), route("country", "talk")),),
            *nav.footer(t),
        ),
        state=state.expecting(Expect.NOTHING),
    )
