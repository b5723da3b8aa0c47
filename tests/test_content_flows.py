"""The rights, restorative and country screens, walked the way a person taps through them."""

from __future__ import annotations

from collections import deque

import pytest

from bot.content import ContentLibrary
from bot.flows import country, restorative, rights
from bot.flows.deps import Deps
from bot.flows.nav import EXIT, MENU
from bot.flows.routes import MAX_BYTES, Route, route
from bot.flows.screen import Screen
from bot.flows.state import State

ROUTES = {**rights.ROUTES, **restorative.ROUTES, **country.ROUTES}
ELSEWHERE = {"talk", "help", "menu", "exit"}  # other people's flows, not walked here
MAX_TEXT = 4096
MAX_LABEL = 32


@pytest.fixture(scope="module")
def deps() -> Deps:
    return Deps(content=ContentLibrary.load())


def _buttons(screen: Screen):
    return [b for row in screen.rows for b in row]


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def assert_fits_telegram(screen: Screen, where: object) -> None:
    shown = f"{screen.title}\n\n{screen.text}" if screen.title else screen.text
    assert _utf16_len(shown) <= MAX_TEXT, where
    for button in _buttons(screen):
        assert button.route is not None, where
        assert len(button.route.encode().encode()) <= MAX_BYTES, (where, button.route)
        assert len(button.label) <= MAX_LABEL, (where, button.label)
    last_rows = [b.route for row in screen.rows[-2:] for b in row]
    assert MENU in last_rows and EXIT in last_rows, where  # every screen ends with the footer


async def walk(deps: Deps, state: State, starts: list[Route]) -> dict[Route, Screen]:
    """Every screen reachable from `starts` without leaving these flows or changing country."""
    seen: dict[Route, Screen] = {}
    todo = deque(starts)
    while todo:
        r = todo.popleft()
        if r in seen:
            continue
        screen = await ROUTES[r.name](r, state, deps)
        seen[r] = screen
        for button in _buttons(screen):
            target = button.route
            if target is None or target.name in ELSEWHERE:
                continue
            assert target.name in ROUTES, target
            if target.name == "setc":
                # Choosing a country changes the state: render it, but walk from it separately.
                seen[target] = await ROUTES["setc"](target, state, deps)
                continue
            todo.append(target)
    return seen


async def test_walking_every_menu_reaches_many_pages_and_every_screen_fits_telegram(deps):
    library = deps.content
    pages: set[tuple[str, str]] = set()
    screens = 0
    for code in (None, *library.countries()):
        state = State(lang="en", country=code)
        walked = await walk(deps, state, [route("rights"), route("rj")])
        for r, screen in walked.items():
            assert_fits_telegram(screen, (code, r))
            if r.name in ("page", "rjpage"):
                page = library.page(r.arg(0), code)
                assert page is not None, r
                pages.add((page.pack, page.id))
            if r.name == "reflect" and r.arg(0) == "4":
                outcome = library.reflection_outcome(restorative.outcome_for(r.arg(1)))
                pages.add((outcome.pack, outcome.id))
        screens += len(walked)
    assert len(pages) >= 40, len(pages)
    assert {(p.pack, p.id) for p in library.all_pages() if not p.id.startswith("reflect_")} <= (
        pages
    )


async def test_screens_fit_telegram_in_another_language(deps):
    walked = await walk(deps, State(lang="uk", country="UA"), [route("rights"), route("rj")])
    for r, screen in walked.items():
        assert_fits_telegram(screen, r)
    menu = walked[route("rights")]
    assert "Україна" in menu.text


async def test_the_rights_menu_names_its_country_and_offers_to_change_it(deps):
    screen = await rights.rights_menu(route("rights"), State(country="GB"), deps)
    assert "United Kingdom" in screen.text
    assert route("country") in [b.route for b in _buttons(screen)]
    assert route("talk") in [b.route for b in _buttons(screen)]


async def test_without_a_country_the_rights_menu_says_international_and_offers_a_choice(deps):
    screen = await rights.rights_menu(route("rights"), State(), deps)
    assert "international" in screen.text
    labels = [b.label for b in _buttons(screen)]
    assert any("Choose your country" in label for label in labels)
    brazil = await rights.rights_menu(route("rights"), State(country="BR"), deps)
    assert "Brazil" in brazil.text and "international" in brazil.text


async def test_a_page_shows_sources_review_date_a_person_line_and_goes_back_to_its_menu(deps):
    screen = await rights.page_screen(route("page", "staying"), State(country="CA"), deps)
    assert screen.title and "Canada" in screen.title
    assert "temporary resident permit" in screen.text
    assert "Sources:" in screen.text
    assert "http://www.cic.gc.ca/english/information/applications/trp.asp" in screen.text
    assert "Last reviewed: November 27, 2026" in screen.text
    assert "Need a person now?" in screen.text
    routes = [b.route for b in _buttons(screen)]
    assert route("talk") in routes
    assert screen.rows[-2][0].route == route("rights")  # Back
    rj = await restorative.restorative_page(route("rjpage", "rj_forms"), State(), deps)
    assert rj.rows[-2][0].route == route("rj")
    assert route("rjpage", "rj_indirect") in [b.route for b in _buttons(rj)]


async def test_a_fallback_page_says_whose_rules_it_gives(deps):
    italy = await rights.page_screen(route("page", "reflection_period"), State(country="IT"), deps)
    assert italy.text.startswith("📍 EU rules")
    usa = await rights.page_screen(route("page", "am_i_trafficked"), State(country="US"), deps)
    assert usa.text.startswith("📍 International rules")
    germany = await rights.page_screen(route("page", "staying"), State(country="DE"), deps)
    assert germany.text.startswith("📍 Country: Germany")


async def test_an_unknown_page_opens_the_rights_menu(deps):
    screen = await rights.page_screen(route("page", "gb_nrm"), State(country="FR"), deps)
    assert screen.title == "Your rights"


async def test_the_review_date_is_written_in_the_persons_language(deps):
    screen = await rights.page_screen(
        route("page", "staying"), State(lang="de", country="DE"), deps
    )
    assert "27. November 2026" in screen.text


async def test_the_country_picker_lists_pack_countries_sorted_paged_and_marks_the_current(deps):
    state = State(lang="en", country="US")
    first = await country.country_picker(route("country"), state, deps)
    second = await country.country_picker(route("country", "1"), state, deps)
    chosen = [b for s in (first, second) for b in _buttons(s) if b.route and b.route.name == "setc"]
    assert all(b.route.arg(1) == "rights" for b in chosen)
    codes = [b.route.arg(0) for b in chosen if b.route.arg(0) != "none"]
    # Where English is an official language first (most speakers first), then all A to Z.
    assert codes[:4] == ["US", "IN", "NG", "PH"]
    assert sorted(set(codes)) == deps.content.countries()
    names = [b.label.removeprefix("✓ ") for b in chosen if b.route.arg(0) != "none"][4:]
    assert names == sorted(names)
    assert any(b.label == "✓ United States" for b in chosen)
    assert route("country", "1", "rights") in [b.route for b in _buttons(first)]


async def test_the_picker_opens_with_the_countries_of_the_readers_language(deps):
    for lang, likeliest in (("uk", ["UA"]), ("es", ["MX", "ES"])):
        first = await country.country_picker(route("country", "0", "talk"), State(lang=lang), deps)
        codes = [b.route.arg(0) for b in _buttons(first) if b.route and b.route.name == "setc"]
        assert codes[: len(likeliest)] == likeliest


async def test_setting_a_country_changes_the_state_and_shows_its_rights_menu(deps):
    screen = await country.set_country(route("setc", "NG"), State(lang="en"), deps)
    assert screen.state is not None and screen.state.country == "NG"
    assert "Nigeria" in screen.text
    cleared = await country.set_country(route("setc", "none"), State(country="NG"), deps)
    assert cleared.state is not None and cleared.state.country is None
    forged = await country.set_country(route("setc", "ZZ"), State(country="NG"), deps)
    assert forged.state is None or forged.state.country == "NG"


async def test_the_reflection_encodes_answers_only_in_routes_and_never_in_state(deps):
    state = State(country="GB")
    r = route("reflect", "0", "-")
    for answer in "yyyy":
        screen = await restorative.reflect_step(r, state, deps)
        assert screen.state is None
        r = next(b.route for b in _buttons(screen) if b.route.args[-1].endswith(answer))
    outcome = await restorative.reflect_step(r, state, deps)
    assert outcome.state is None
    assert outcome.title == "You could find out more"
    assert outcome.rows[-2][0].route == route("reflect", "3", "yyy")


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ("nyyy", "safety"),
        ("uyyy", "safety"),
        ("ynyy", "pressure"),
        ("yuyy", "pressure"),
        ("yyny", "not_yet"),
        ("yyyu", "not_yet"),
        ("yyyy", "explore"),
    ],
)
def test_an_unsafe_or_unsure_answer_leads_to_a_gentle_outcome(answers, outcome):
    assert restorative.outcome_for(answers) == outcome


async def test_a_forged_reflection_route_starts_the_questions_again(deps):
    screen = await restorative.reflect_step(route("reflect", "3", "yx"), State(), deps)
    assert "Question 1 of 4" in screen.text
    first_back = screen.rows[-2][0].route
    assert first_back == route("rjpage", "rj_right_for_me")


async def test_without_content_the_screens_still_offer_a_person_and_a_way_out():
    empty = Deps()
    for flow, r in (
        (rights.rights_menu, route("rights")),
        (rights.page_screen, route("page", "support")),
        (restorative.restorative_menu, route("rj")),
        (restorative.reflect_step, route("reflect")),
    ):
        screen = await flow(r, State(), empty)
        assert route("talk") in [b.route for b in _buttons(screen)]
        assert EXIT in [b.route for b in _buttons(screen)]


async def test_a_restorative_page_says_whom_the_eu_rules_bind(deps):
    page = route("rjpage", "rj_safeguards")
    germany = await ROUTES["rjpage"](page, State(lang="en", country="DE"), deps)
    denmark = await ROUTES["rjpage"](page, State(lang="en", country="DK"), deps)
    usa = await ROUTES["rjpage"](page, State(lang="en", country="US"), deps)
    assert "EU rules. They bind your country" in germany.text
    assert "do not bind your country" in denmark.text
    assert "EU rules, as guidance" in usa.text and "CM/Rec(2018)8" in usa.text


async def test_the_restorative_menu_does_not_say_the_parties_are_brought_together(deps):
    screen = await ROUTES["rj"](Route("rj"), State(lang="en"), deps)
    assert "brings together" not in screen.text
    assert "You do not have to meet" in screen.text
