"""Near means near, and the country is never switched silently (issue #15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import Directory
from bot.flows import router
from bot.flows.deps import Deps
from bot.flows.find_help import at_point
from bot.flows.routes import Route
from bot.flows.state import State

CSV = """\
id,name,categories,country,city,latitude,longitude,national,phone,last_verified
de-munich,Munich Test Shelter,shelter,DE,München,48.14,11.58,false,,2026-11-01
at-salzburg,Salzburg Test Shelter,shelter,AT,Salzburg,47.80,13.04,false,,2026-11-01
fr-lyon,Lyon Test Shelter,shelter,FR,Lyon,45.76,4.84,false,,2026-11-01
de-112,Notruf,emergency,DE,,,,true,112,2026-11-01
gb-999,Emergency services,emergency,GB,,,,true,999,2026-11-01
pl-112,Numer alarmowy,emergency,PL,,,,true,112,2026-11-01
vn-113,Police,emergency,VN,,,,true,113,2026-11-01
"""

WARSAW = (52.23, 21.01)


@pytest.fixture
async def deps(tmp_path: Path) -> Deps:
    path = tmp_path / "resources.csv"
    path.write_text(CSV, encoding="utf-8")
    directory = await Directory.open(path, tmp_path / "data")
    yield Deps(directory=directory, near_km=150.0)
    await directory.close()


async def test_munich_lists_no_service_hundreds_of_kilometres_away(deps: Deps) -> None:
    screen = await at_point(State(country="DE"), deps, 48.14, 11.58, "DE")
    assert "Munich Test Shelter" in screen.text
    assert "Lyon" not in screen.text  # 577 km away is not near
    assert "Salzburg" not in screen.text  # abroad, and farther than a service at home


async def test_a_service_across_the_border_comes_only_when_closer_and_says_where(
    deps: Deps,
) -> None:
    # Near Salzburg, on the German side: the Austrian shelter is closer than Munich's.
    screen = await at_point(State(country="DE"), deps, 47.76, 12.95, "DE")
    text = screen.text
    assert text.index("Munich Test Shelter") < text.index("Salzburg Test Shelter")
    assert "Salzburg · in Austria" in text
    assert "in Germany" not in text  # services at home need no label


async def test_a_place_in_another_country_is_asked_about_not_switched(deps: Deps) -> None:
    screen = await at_point(State(country="GB"), deps, 10.78, 106.70, "VN")  # Hồ Chí Minh
    assert "another country: Vietnam. Are you there now?" in screen.text
    assert screen.state is not None and screen.state.country == "GB"
    no = await router.open_route(Route("here", ("VN", "no")), screen.state, deps)
    assert "999" in no.text and "113" not in no.text
    assert no.state is None or no.state.country == "GB"
    yes = await router.open_route(Route("here", ("VN", "yes")), screen.state, deps)
    assert "113" in yes.text
    assert yes.state is not None and yes.state.country == "VN"


async def test_with_no_country_yet_the_place_sets_it(deps: Deps) -> None:
    screen = await at_point(State(), deps, *WARSAW, "PL")
    assert screen.state is not None and screen.state.country == "PL"
    assert "112" in screen.text


async def test_nothing_near_says_so_kindly_and_shows_the_national_lines(deps: Deps) -> None:
    screen = await at_point(State(country="PL"), deps, *WARSAW, "PL")
    assert "no service in our list near this place" in screen.text
    assert "112" in screen.text
