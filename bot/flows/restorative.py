"""Restorative options: offered, never pushed (safety principle 6).

"Is it right for me?" asks four yes / no / not-sure questions.  The answers so far travel only
in the route of the next button (`reflect|2|yn`): they are never put in State, stored or
logged, and they decide nothing but which page comes next.
"""

from __future__ import annotations

import re

from bot.flows import nav
from bot.flows.deps import Deps, Flow
from bot.flows.rights import (
    RJ,
    RJ_PAGE,
    need_a_person,
    render_page,
    talk_button,
    unavailable,
)
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.state import State
from bot.i18n import translator

YES, NO, UNSURE = "y", "n", "u"
NONE_YET = "-"  # a route argument cannot be empty
_ANSWERS = re.compile(r"[ynu]{0,8}")


async def restorative_menu(_route: Route, state: State, deps: Deps) -> Screen:
    t = translator(state.lang)
    title = t.gettext("Restorative options")
    if deps.content is None:
        return unavailable(t, title)
    intro = t.gettext(
        "In restorative justice, the person who was harmed and the person responsible can "
        "take part in dealing with what happened, if both freely agree. A trained facilitator "
        "helps. You do not have to meet. It is voluntary, you can stop at any time, and it is "
        "not right for everyone. Your safety comes first."
    )
    rows = [
        (Button(t.gettext(p.label), route(RJ_PAGE, p.id)),)
        for p in deps.content.restorative_topics()
    ]
    rows.append((talk_button(t),))
    return Screen(
        title=title,
        text="\n\n".join((intro, t.gettext("Choose a topic."), need_a_person(t))),
        rows=(*rows, *nav.footer(t)),
    )


async def restorative_page(r: Route, state: State, deps: Deps) -> Screen:
    library = deps.content
    page = library.page(r.arg(0), state.country) if library is not None else None
    if library is None or page is None:
        return await restorative_menu(RJ, state, deps)
    return render_page(page, state, library, RJ_PAGE)


def outcome_for(answers: str) -> str:
    """Which outcome page four answers lead to; the order is documented in restorative.toml."""
    safety, choice, ready, support = answers
    if safety != YES:
        return "safety"
    if choice != YES:
        return "pressure"
    if ready != YES or support != YES:
        return "not_yet"
    return "explore"


def _reflect_route(answers: str) -> Route:
    return route("reflect", str(len(answers)), answers or NONE_YET)


async def reflect_step(r: Route, state: State, deps: Deps) -> Screen:
    library = deps.content
    steps = library.reflection_steps() if library is not None else []
    if library is None or not steps:
        return await restorative_menu(RJ, state, deps)
    answers = "" if r.arg(1, NONE_YET) == NONE_YET else r.arg(1)
    # Anything inconsistent (a forged or stale button) starts the questions again.
    if not _ANSWERS.fullmatch(answers) or r.arg(0, "0") != str(len(answers)):
        answers = ""
    answers = answers[: len(steps)]
    t = translator(state.lang)
    intro = next((p for p in library.restorative_topics() if "reflect" in p.actions), None)
    if len(answers) == len(steps):
        outcome = library.reflection_outcome(outcome_for(answers[:4].ljust(4, UNSURE)))
        if outcome is None:
            return await restorative_menu(RJ, state, deps)
        again = (Button(t.pgettext("button", "↺ Start again"), _reflect_route("")),)
        return render_page(
            outcome,
            state,
            library,
            RJ_PAGE,
            back=_reflect_route(answers[:-1]),
            extra_rows=(again,),
        )
    step = steps[len(answers)]
    if answers:
        back = _reflect_route(answers[:-1])
    elif intro is not None:
        back = route(RJ_PAGE, intro.id)
    else:
        back = RJ
    counter = t.gettext("Question {number} of {total}").format(
        number=len(answers) + 1, total=len(steps)
    )
    choices = (
        Button(t.pgettext("answer", "Yes"), _reflect_route(answers + YES)),
        Button(t.pgettext("answer", "No"), _reflect_route(answers + NO)),
        Button(t.pgettext("answer", "Not sure"), _reflect_route(answers + UNSURE)),
    )
    return Screen(
        title=t.gettext(step.title),
        text="\n\n".join((counter, t.gettext(step.body))),
        rows=(choices, (talk_button(t),), *nav.footer(t, back=back)),
    )


ROUTES: dict[str, Flow] = {
    "rj": restorative_menu,
    RJ_PAGE: restorative_page,
    "reflect": reflect_step,
}
