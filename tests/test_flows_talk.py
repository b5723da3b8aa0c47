"""Talk to a person now never ends in an empty screen or a loop (issue #16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import Directory
from bot.flows import router
from bot.flows.deps import Deps
from bot.flows.nav import EXIT, MENU
from bot.flows.routes import Route, route
from bot.flows.state import State

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


def _routes(screen):
    return [b.route for row in screen.rows for b in row if b.route is not None]


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
