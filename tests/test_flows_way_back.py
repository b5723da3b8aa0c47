"""A way back everywhere: every screen reachable from the main menu has Back (to where the
person came from) or is the main menu, and always Main menu and Quick exit (issue #17)."""

from __future__ import annotations

from collections import deque

import pytest

from bot.content import ContentLibrary
from bot.directory import Directory
from bot.flows import router
from bot.flows.deps import Deps
from bot.flows.nav import EXIT, MENU
from bot.flows.routes import Route, route
from bot.flows.screen import Screen
from bot.flows.state import State
from bot.i18n import translator

CSV = """\
id,name,categories,country,city,latitude,longitude,national,phone,last_verified
gb-line,Test Helpline,hotline,GB,,,,true,+44 20 3058 2020,2026-11-01
gb-999,Emergency services,emergency,GB,,,,true,999,2026-11-01
gb-shelter,Test Shelter,shelter,GB,London,51.51,-0.13,false,,2026-11-01
"""
LIMIT = 600


@pytest.fixture(scope="module")
async def deps(tmp_path_factory: pytest.TempPathFactory) -> Deps:
    folder = tmp_path_factory.mktemp("way-back")
    (folder / "resources.csv").write_text(CSV, encoding="utf-8")
    directory = await Directory.open(folder / "resources.csv", folder / "data")
    yield Deps(directory=directory, content=ContentLibrary.load())
    await directory.close()


def buttons(screen: Screen) -> list[tuple[str, Route]]:
    return [(b.label, b.route) for row in screen.rows for b in row if b.route is not None]


async def walk(deps: Deps, lang: str, country: str | None) -> list[tuple[Screen, Route, Screen]]:
    """(screen pressed on, pressed, screen opened) for every screen reachable by buttons."""
    start = State(lang=lang, country=country, lang_chosen=True)
    menu = await router.navigate(MENU, start, deps)
    found: list[tuple[Screen, Route, Screen]] = [(menu, MENU, menu)]
    todo = deque([menu])
    seen = {MENU}
    while todo and len(found) < LIMIT:
        screen = todo.popleft()
        for _label, target in buttons(screen):
            if target in seen or target in (EXIT, MENU) or target.name == "setlang":
                continue
            seen.add(target)
            opened = await router.navigate(target, screen.state or start, deps)
            found.append((screen, target, opened))
            todo.append(opened)
    return found


@pytest.mark.parametrize(("lang", "country"), [("en", "GB"), ("ar", "GB"), ("en", None)])
async def test_every_screen_has_back_main_menu_and_quick_exit(deps: Deps, lang, country) -> None:
    back_label = translator(lang).pgettext("button", "◀ Back")
    missing = []
    found = await walk(deps, lang, country)
    menu_title = found[0][2].title
    for before, pressed, screen in found:
        if screen.title == menu_title:
            continue  # the main menu (also where choosing a country from it ends)
        routes = [r for _, r in buttons(screen)]
        if EXIT not in routes or MENU not in routes:
            missing.append(f"{pressed}: no Main menu or Quick exit")
        if screen.state is None or len(screen.state.trail) <= 1:
            continue  # one step from the menu: Main menu is the way back
        backs = [r for label, r in buttons(screen) if label == back_label]
        if not backs:
            missing.append(f"{pressed}: no Back")
            continue
        # Back shows the screen the person pressed on, not just some earlier one.
        again = await router.navigate(backs[0], screen.state, deps)
        if (again.title, again.text) != (before.title, before.text):
            missing.append(f"{pressed}: Back opens {backs[0]}, not the screen before")
    assert not missing, missing[:20]


async def test_talk_opened_from_a_rights_page_returns_there(deps: Deps) -> None:
    state = State(lang="en", country="GB", lang_chosen=True)
    menu = await router.navigate(MENU, state, deps)
    rights = await router.navigate(route("rights"), menu.state, deps)
    page = next(r for _, r in buttons(rights) if r.name == "page")
    opened = await router.navigate(page, rights.state, deps)
    talk = await router.navigate(route("talk"), opened.state, deps)
    assert ("◀ Back", page) in buttons(talk)
    again = await router.navigate(page, talk.state, deps)  # pressing Back
    assert ("◀ Back", route("rights")) in buttons(again)
