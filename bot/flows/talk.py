"""Talk to a person now: the national hotlines and the emergency number of the person's country.

Never an empty screen: with no helpline known for the country, the emergency number and what
else a person can do are shown; with no country at all ("not listed"), the international page.
"""

from __future__ import annotations

from dataclasses import replace

from bot.directory import emergency_for
from bot.flows import nav
from bot.flows.country import country_picker
from bot.flows.deps import Deps
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.service_card import contact_card, emergency_line, speaks_reader_first
from bot.flows.state import Expect, State
from bot.i18n import Translator, translator

# Categories that mean "a person answers": shown on this screen, national services only.
PERSON_CATEGORIES = ("hotline", "general_support", "counselling", "legal", "labour")
# `talk|intl`: the person said their country is not listed.
INTERNATIONAL = "intl"


async def talk(r: Route, state: State, deps: Deps) -> Screen:
    t = translator(state.lang)
    if r.arg(0) == INTERNATIONAL:
        return _international(t, state)
    if not state.country and deps.directory is not None:
        # The country first, with the likeliest ones for the reader's language on page one.
        picker = await country_picker(Route("country", ("0", "talk")), state, deps)
        return replace(picker, title=t.gettext("Talk to a person now"))
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
            state=state.expecting_country("talk"),
        )
    services = await deps.directory.national(state.country, PERSON_CATEGORIES)
    emergencies = await deps.directory.emergencies(state.country)
    emergency = emergency_for(emergencies, state.point)
    people = speaks_reader_first(
        [s for s in services if emergency is None or s.id != emergency.id], state.lang
    )
    # Where the national number does not reach every city yet, each city's own number by its
    # name, unless the person's place is known (then `emergency` is the one for them).
    cities: list[str] = []
    if not state.point:
        if emergency is not None and not emergency.national:
            emergency = None  # only cities' own numbers: none of them is "the" number
        cities = [
            emergency_line(t, s)
            for s in emergencies
            if not s.national and s.phone and s.city
            and (emergency is None or s.id != emergency.id)
        ]  # fmt: skip
    lines = [line for line in (contact_card(t, state.lang, s) for s in people) if line]
    if lines:
        if emergency is not None:
            lines += [c for c in (contact_card(t, state.lang, emergency),) if c]
        lines += cities
    else:
        if emergency is not None and emergency.phone:
            lines.append(emergency_line(t, emergency))
        elif not cities:
            lines.append(t.gettext("In danger now? Call your local emergency number."))
        lines += [
            *cities,
            t.gettext(
                "I do not know a helpline in this country yet. That is a gap in my list, "
                "not a sign that there is no help for you."
            ),
            _embassy(t),
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


def _embassy(t: Translator) -> str:
    return t.gettext(
        "If you are from another country, your own country's embassy or consulate may be "
        "able to help, for example with papers or with going home. You decide whether to "
        "contact them."
    )


def _international(t: Translator, state: State) -> Screen:
    return Screen(
        title=t.gettext("Talk to a person now"),
        text="\n\n".join(
            [
                t.gettext(
                    "In danger now? Call the emergency number of the country you are in."
                ),
                _embassy(t),
                t.gettext(
                    "When you choose the country you are in, I show the helplines I know "
                    "there and its emergency number."
                ),
            ]
        ),
        rows=(
            (Button(t.pgettext("button", "🌍 Choose country"), route("country", "talk")),),
            *nav.footer(t),
        ),
        state=state.expecting_country("talk"),
    )
