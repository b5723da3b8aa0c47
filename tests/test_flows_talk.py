"""Talk to a person now never ends in an empty screen or a loop (issue #16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import Directory
from bot.flows import router
from bot.flows.deps import Deps
from bot.flows.nav import EXIT, MENU
from bot.flows.routes import Route, route
from bot.flows.screen import Screen
from bot.flows.state import State
from bot.i18n import translator

ROOT = Path(__file__).resolve().parent.parent
CSV = """\
id,name,categories,country,national,phone,last_verified
gb-line,Test Helpline,hotline,GB,true,+44 20 3058 2020,2026-11-01
gb-999,Emergency services,emergency,GB,true,999,2026-11-01
de-112,Emergency number,emergency,DE,true,112,2026-11-01
"""


@pytest.fixture
async def deps(tmp_path: Path) -> Deps:
    path = tmp_path / "resources.csv"
    path.write_text(CSV, encoding="utf-8")
    directory = await Directory.open(path, tmp_path / "data")
    yield Deps(directory=directory)
    await directory.close()


@pytest.fixture
async def shipped(tmp_path: Path) -> Deps:
    """What the flows consult with the directory built from the shipped resources.csv."""
    directory = await Directory.open(ROOT / "resources.csv", tmp_path / "data")
    yield Deps(directory=directory)
    await directory.close()


def _routes(screen):
    return [b.route for row in screen.rows for b in row if b.route is not None]


async def talk_screens(tmp_path: Path, csv_text: str, *langs: str) -> list[Screen]:
    """The British talk screen of a directory made of `csv_text`, in each of `langs`."""
    (tmp_path / "r.csv").write_text(csv_text, encoding="utf-8")
    directory = await Directory.open(tmp_path / "r.csv", tmp_path / "data")
    try:
        deps = Deps(directory=directory)
        return [
            await router.open_route(route("talk"), State(lang=lang, country="GB"), deps)
            for lang in langs
        ]
    finally:
        await directory.close()


async def test_a_country_with_helplines_lists_them_and_its_emergency_number(deps: Deps) -> None:
    screen = await router.open_route(route("talk"), State(country="GB"), deps)
    assert "Test Helpline" in screen.text and "+44 20 3058 2020" in screen.text
    assert "999" in screen.text
    assert "gap in my list" not in screen.text


async def test_a_country_without_a_helpline_gets_its_emergency_number_and_a_kind_word(
    deps: Deps,
) -> None:
    screen = await router.open_route(route("talk"), State(country="DE"), deps)
    assert "🚨 Emergency: 112" in screen.text
    assert "not a sign that there is no help for you" in screen.text
    assert "embassy or consulate" in screen.text
    assert MENU in _routes(screen) and EXIT in _routes(screen)


async def test_a_country_with_nothing_at_all_still_says_what_to_do(deps: Deps) -> None:
    screen = await router.open_route(route("talk"), State(country="SA"), deps)
    assert "Call your local emergency number" in screen.text
    assert "embassy or consulate" in screen.text


async def test_not_listed_opens_the_international_page_not_the_country_question(
    deps: Deps,
) -> None:
    screen = await router.open_route(Route("setc", ("none", "talk")), State(), deps)
    assert screen.text.startswith("In danger now? Call the emergency number of the country")
    assert "Which country are you in?" not in screen.text
    assert MENU in _routes(screen) and EXIT in _routes(screen)


async def test_the_ukrainian_talk_screen_for_poland_has_no_english_but_names(tmp_path) -> None:
    # The real directory: Poland's helpline, its hours, languages and age, in Ukrainian.
    from datetime import date

    from bot.flows.service_card import contact_card, speaks_reader_first
    from bot.i18n import translator

    root = Path(__file__).resolve().parent.parent
    directory = await Directory.open(root / "resources.csv", tmp_path / "data")
    try:
        screen = await router.open_route(
            route("talk"), State(lang="uk", country="PL"), Deps(directory=directory)
        )
        services = await directory.national("PL")
    finally:
        await directory.close()
    text = screen.text
    for service in services:
        text = text.replace(service.name, "")
    english = {"Emergency", "speaks", "verified", "open", "hours", "Single", "European",
               "number", "may have changed", "office"}
    assert not [w for w in english if w in text], text
    assert "цілодобово" in text and "мови:" in text and "112" in text
    t = translator("uk")
    helpline = next(s for s in services if "hotline" in s.categories)
    assert "номер міг змінитися" in contact_card(t, "uk", helpline, today=date(2030, 1, 1))
    assert "номер міг змінитися" not in contact_card(
        t, "uk", helpline, today=helpline.last_verified
    )
    # Lines that speak the reader's language come first.
    assert speaks_reader_first(services, "vi")[0] is helpline  # KCIK speaks Vietnamese


async def test_lines_that_speak_the_readers_language_come_first(tmp_path: Path) -> None:
    csv_text = (
        "id,name,categories,country,national,phone,languages,last_verified\n"
        "gb-a,First Line,hotline,GB,true,+44 20 3058 2020,en,2026-11-01\n"
        "gb-b,Second Line,hotline,GB,true,+44 800 808 3733,en|uk,2026-11-01\n"
    )
    uk, en = await talk_screens(tmp_path, csv_text, "uk", "en")
    assert uk.text.index("Second Line") < uk.text.index("First Line")
    assert en.text.index("First Line") < en.text.index("Second Line")


async def test_riyadh_in_filipino_shows_the_emergency_number_and_a_line(shipped: Deps) -> None:
    # A Filipino domestic worker in Riyadh: Saudi Arabia's 911 and a verified line (19911).
    from bot.flows.find_help import at_point

    results = await at_point(State(lang="tl"), shipped, 24.71, 46.67)
    talk = await router.open_route(route("talk"), results.state, shipped)
    assert results.state is not None and results.state.country == "SA"
    assert "911" in results.text
    assert "19911" in talk.text  # the labour ministry's unified number, from resources.csv
    assert "🚨" in talk.text and "911" in talk.text.replace("19911", "")
    assert "embahada" not in talk.text  # the "no helpline known" page is not shown


async def test_who_a_line_is_for_is_shown_in_the_readers_language(tmp_path: Path) -> None:
    csv_text = (
        "id,name,categories,country,national,phone,eligibility,last_verified\n"
        "gb-w,Women's Line,hotline,GB,true,+44 20 3058 2020,women|children,2026-11-01\n"
        "gb-x,Other Line,hotline,GB,true,+44 800 808 3733,people who rang before,2026-11-01\n"
    )
    uk, en = await talk_screens(tmp_path, csv_text, "uk", "en")
    assert "👥 для: жінки, діти" in uk.text
    assert "people who rang before" not in uk.text  # free text: English readers only
    assert "👥 for: women, children" in en.text and "👥 for: people who rang before" in en.text


async def test_free_text_hours_reach_english_readers_only(tmp_path: Path) -> None:
    csv_text = (
        "id,name,categories,country,national,phone,hours,last_verified\n"
        "gb-a,Structured Line,hotline,GB,true,+44 20 3058 2020,Mo-Fr 09:00-17:00,2026-11-01\n"
        "gb-b,Free Text Line,hotline,GB,true,+44 800 808 3733,Business hours,2026-11-01\n"
    )
    uk, en = await talk_screens(tmp_path, csv_text, "uk", "en")
    assert "пн–пт 09:00–17:00" in uk.text and "Business hours" not in uk.text
    assert "Business hours" in en.text


async def test_talk_without_a_country_asks_it_with_the_readers_likeliest_first(
    deps: Deps,
) -> None:
    screen = await router.open_route(route("talk"), State(lang="uk"), deps)
    choices = [b.route for row in screen.rows for b in row if b.route and b.route.name == "setc"]
    assert screen.title == translator("uk").gettext("Talk to a person now")
    assert choices and all(c.arg(1) == "talk" for c in choices)
    assert MENU in _routes(screen) and EXIT in _routes(screen)


def test_every_eligibility_group_the_validator_accepts_is_translated() -> None:
    from bot.directory.schema import ELIGIBILITY_GROUPS
    from bot.flows.service_card import eligibility_line

    t = translator("uk")
    for group in ELIGIBILITY_GROUPS:
        line = eligibility_line(t, "uk", group)
        assert line and group not in line, group


async def test_the_islands_and_countries_with_a_thin_list_still_get_the_police(
    shipped: Deps,
) -> None:
    # Kiribati lists its police (192) and an ambulance (194): the police come first, as the
    # one number shown; Guinea-Bissau has no confirmed dispatcher, but the criminal police's
    # free reporting line (121), dated 2022, with a warning that it may have changed.
    kiribati = await router.open_route(route("talk"), State(country="KI"), shipped)
    bissau = await router.open_route(route("talk"), State(lang="pt", country="GW"), shipped)
    assert "192" in kiribati.text and "194" not in kiribati.text
    assert "121" in bissau.text and "Polícia Judiciária" in bissau.text
    assert translator("pt").gettext(
        "⚠ Checked over two years ago: this number may have changed."
    ) in bissau.text


async def test_port_moresby_gets_its_own_police_number_where_112_has_not_arrived(
    shipped: Deps,
) -> None:
    # Papua New Guinea brings in 112 province by province; no page shows it in Port Moresby,
    # whose police take calls on 1800100.  A person there is given that number; a person in
    # Mount Hagen, where 112 was launched, gets 112; with no place known, both are on screen.
    from bot.flows.find_help import at_point

    country_only = await router.open_route(route("talk"), State(country="PG"), shipped)
    moresby = await at_point(State(), shipped, -9.4431, 147.1797)
    moresby_talk = await router.open_route(route("talk"), moresby.state, shipped)
    hagen = await at_point(State(), shipped, -5.8577, 144.2306)
    assert "🚨 Emergency: 112" in country_only.text
    assert "🚨 Port Moresby: +675 180 0100" in country_only.text
    assert "🚨 Port Moresby: +675 180 0100" in moresby.text and "112" not in moresby.text
    assert "🚨 Port Moresby: +675 180 0100" in moresby_talk.text
    assert "112" not in moresby_talk.text
    assert "🚨 Emergency: 112" in hagen.text and "180 0100" not in hagen.text


async def test_where_only_towns_have_numbers_each_is_shown_by_its_name(shipped: Deps) -> None:
    # The Marshall Islands: police and fire on Majuro and on Ebeye each have their own number
    # and none covers the whole country, so neither is shown as "the" emergency number.
    from bot.flows.menu import emergency_line

    screen = await router.open_route(route("talk"), State(country="MH"), shipped)
    menu_line = await emergency_line(State(country="MH"), shipped)
    on_ebeye = await router.open_route(
        route("talk"), State(country="MH", point=(8.775, 167.739)), shipped
    )
    # Jaluit atoll, far from both: the nearer city's police (Majuro), named as such.
    on_jaluit = await router.open_route(
        route("talk"), State(country="MH", point=(5.92, 169.64)), shipped
    )
    assert "🚨 Majuro: +692 625-8666" in screen.text
    assert "🚨 Ebeye: +692 329-6911" in screen.text
    assert "Emergency:" not in screen.text and "local emergency number" not in screen.text
    assert "(Majuro)" in menu_line
    assert "🚨 Ebeye: +692 329-6911" in on_ebeye.text and "625" not in on_ebeye.text
    assert "🚨 Majuro: +692 625-8666" in on_jaluit.text and "329" not in on_jaluit.text
