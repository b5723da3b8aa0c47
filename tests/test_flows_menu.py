"""The core screens, rendered without any bot: flows are plain functions of a state."""

from bot.flows import router
from bot.flows.deps import Deps
from bot.flows.nav import EXIT, MENU
from bot.flows.routes import Route, route
from bot.flows.state import State


def _routes(screen):
    return [b.route for row in screen.rows for b in row if b.route is not None]


async def test_main_menu_offers_quick_exit_and_an_emergency_line():
    screen = await router.open_route(MENU, State(), Deps())
    assert EXIT in _routes(screen)
    assert "🆘" in screen.text


async def test_main_menu_hides_entries_whose_flow_does_not_exist():
    screen = await router.open_route(MENU, State(), Deps())
    for r in _routes(screen):
        assert r == EXIT or router.available(r.name), r


async def test_an_unknown_route_opens_the_main_menu():
    menu = await router.open_route(MENU, State(), Deps())
    forged = await router.open_route(Route("nosuchscreen"), State(), Deps())
    assert forged.text == menu.text
    assert (await router.open_route(None, State(), Deps())).text == menu.text


async def test_every_core_screen_has_main_menu_and_quick_exit():
    for name in ("helpme", "lang", "privacy", "forget", "talk", "help"):
        screen = await router.open_route(route(name), State(), Deps())
        routes = _routes(screen)
        assert MENU in routes and EXIT in routes, name


async def test_the_privacy_page_says_telegram_keeps_its_own_copy():
    screen = await router.open_route(route("privacy"), State(), Deps())
    assert "Telegram keeps its own copy" in screen.text
    assert "48 hours" in screen.text


async def test_choosing_a_language_changes_the_state():
    screen = await router.open_route(route("setlang", "en"), State(), Deps())
    assert screen.state is not None and screen.state.lang_chosen


async def test_a_language_that_is_not_shipped_is_ignored():
    screen = await router.open_route(route("setlang", "xx"), State(), Deps())
    assert screen.state is None or screen.state.lang == "en"


async def test_a_sticker_or_stray_text_gets_a_kind_word_and_the_menu():
    screen = await router.on_text(State(), Deps(), "hello there")
    assert EXIT in _routes(screen)
    assert "hello there" not in screen.text


async def test_people_are_told_when_typed_towns_go_to_an_online_map_service():
    offline = Deps()
    online = Deps(typed_places_server="maps.example.org")
    for name in ("help", "privacy"):
        quiet = await router.open_route(route(name), State(), offline)
        told = await router.open_route(route(name), State(), online)
        assert "online map service" not in quiet.text, name
        assert "online map service (maps.example.org)" in told.text, name
    spanish = await router.open_route(route("help"), State(lang="es"), online)
    assert "servicio de mapas en línea (maps.example.org)" in spanish.text


async def test_the_main_menu_shows_the_country_and_changes_it_in_one_tap():
    screen = await router.open_route(MENU, State(country="PL", lang="uk"), Deps())
    labels = {b.label: b.route for row in screen.rows for b in row}
    button = next(label for label in labels if label.startswith("📍") and "Польща" in label)
    assert labels[button] == route("country", "0", "menu")
    fresh = await router.open_route(MENU, State(), Deps())
    assert route("country", "0", "menu") in _routes(fresh)
