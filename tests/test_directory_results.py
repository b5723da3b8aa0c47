"""The results screen, rendered from a small fixture directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.directory import Directory
from bot.flows.results import (
    CATEGORIES,
    MAX_TEXT,
    category_label,
    parse_results_route,
    results_screen,
)
from bot.flows.routes import route
from bot.flows.state import State
from bot.i18n import translator

FIXTURE = Path(__file__).parent / "data" / "directory" / "small.csv"
HERE = (51.5100, -0.1300)


@pytest.fixture
async def directory(tmp_path: Path):
    shutil.copy(FIXTURE, tmp_path / "small.csv")
    opened = await Directory.open(tmp_path / "small.csv", tmp_path / "data")
    yield opened
    await opened.close()


def _routes(screen) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.route.encode() for row in screen.rows for b in row if b.route is not None]


async def test_results_list_the_nearest_services_with_what_a_person_needs(directory) -> None:
    t = translator("en")
    screen = await results_screen(directory, t, State(lang="en", country="GB"), *HERE)
    text = screen.text
    assert text.index("Central Test Shelter") < text.index("North Test Legal Advice")
    assert "Shelter, Counselling · 0.2 mi · London" in text
    assert "☎ +44 20 3058 2020" in text
    assert "🌐 https://example.org/central" in text
    assert "🕒 open 24 hours, every day" in text
    assert "🗣 speaks: English, Polish" in text
    assert "verified Oct 1, 2026" in text
    assert "Across United Kingdom:" in text
    assert "• Test National Helpline: ☎ +44 800 808 3733" in text
    assert "🚨 Emergency: 999" in text
    assert len(screen.title or "") + len(text) < MAX_TEXT


async def test_buttons_carry_only_a_category_and_a_page(directory) -> None:
    t = translator("en")
    # Bristol and Manchester are beyond the default 150 km; reach them to get a second page.
    screen = await results_screen(directory, t, State(country="GB"), *HERE, near_km=300.0)
    routes = _routes(screen)
    assert "w1|results|all|1" in routes  # more results
    assert "w1|results_map|all|0" in routes
    assert "w1|results|legal|0" in routes
    assert routes[-2:] == ["w1|menu", "w1|exit"]
    for encoded in routes:
        assert "51" not in encoded and "0.13" not in encoded
    assert screen.venues == ()


async def test_the_map_shows_the_listed_services(directory) -> None:
    t = translator("en")
    screen = await results_screen(directory, t, State(country="GB"), *HERE, show_map=True)
    assert [v.title for v in screen.venues][:2] == [
        "Central Test Shelter",
        "North Test Legal Advice",
    ]
    assert screen.venues[0].address == "1 Test Street, London"


async def test_a_category_filter_and_the_second_page(directory) -> None:
    t = translator("en")
    state = State(country="GB")
    legal = await results_screen(directory, t, state, *HERE, categories=("legal",))
    assert "Showing: Legal help" in legal.text
    assert "North Test Legal Advice" in legal.text and "Central Test Shelter" not in legal.text
    assert "w1|results|all|0" in _routes(legal)
    second = await results_screen(directory, t, state, *HERE, page=1, near_km=300.0)
    assert second.text.startswith("6. Manchester Test Centre")
    assert "w1|results|all|0" in _routes(second)  # back to the nearer ones


async def test_kilometres_outside_the_mile_countries_and_translated_names(directory) -> None:
    t = translator("es")
    screen = await results_screen(directory, t, State(lang="es", country="FR"), *HERE)
    assert "Refugio Central de Prueba" in screen.text
    assert "0,3 km" in screen.text
    assert "inglés, polaco" in screen.text


async def test_far_from_every_service_there_is_still_a_kind_word_and_the_national_lines(
    directory,
) -> None:
    t = translator("en")
    screen = await results_screen(directory, t, State(country="US"), 44.0, -103.0)
    assert "You are not alone" in screen.text
    assert "🚨 Emergency: 911" in screen.text
    assert "Los Angeles" not in screen.text  # more than 1,000 km away
    assert "w1|results_map|all|0" not in _routes(screen)


def test_route_parsing_and_labels() -> None:
    t = translator("en")
    assert parse_results_route(route("results", "legal", "2")) == (("legal",), 2)
    assert parse_results_route(route("results", "nonsense", "x")) == ((), 0)
    assert [category_label(t, c) for c in CATEGORIES][:3] == [
        "Emergency services",
        "Helpline",
        "Shelter",
    ]
