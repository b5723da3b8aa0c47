"""The offline gazetteer over the full GeoNames build (built once per session by conftest)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.flows.places import Choose, Country, Found, NotFound, place_by_id, place_from_text
from bot.flows.routes import Route
from bot.flows.state import State
from bot.geo import Gazetteer, GazetteerUnavailable, Match
from bot.geo.search import Search, run_sync
from bot.i18n import translator

MUNICH = 2867714
KYIV = 703448
LYON = 2996944
MANCHESTER = 2643123

HOSTILE = (
    "",
    "   ",
    "🙂🙂🙂",
    "x" * 4000,
    "Мюнхен" * 700,
    "'; DROP TABLE place; --",
    "%",
    "_",
    "%_%",
    '"',
    '"*():^',
    "NEAR(a b)",
    "a OR b AND NOT c",
    "\u200f\u200f",
    "\u200d",
    "\u202eLondon",
    "\x00",
    "\ud800",
    "[*?]",
    "mun*",
    "-",
    "{text}:abc",
)


@pytest.fixture
async def gazetteer(gazetteer_dir: Path) -> AsyncIterator[Gazetteer]:
    opened = await Gazetteer.open(gazetteer_dir)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(scope="module")
def sync_search(gazetteer_dir: Path):
    conn = sqlite3.connect(
        f"{(gazetteer_dir / 'gazetteer.sqlite3').resolve().as_uri()}?mode=ro", uri=True
    )

    async def rows(sql, params=()):
        return conn.execute(sql, params).fetchall()

    yield Search(rows)
    conn.close()


async def top(gazetteer: Gazetteer, text: str) -> int | None:
    found = await gazetteer.find(text)
    return found[0].geonameid if found else None


@pytest.mark.parametrize("typed", ["München", "Мюнхен", "Munich", "munchen", "MUNCHEN", "Muncen"])
async def test_every_way_of_writing_munich_finds_munich(gazetteer, typed):
    assert await top(gazetteer, typed) == MUNICH


@pytest.mark.parametrize("typed", ["Київ", "Kyiv", "Kiev", "Киев", "kyiv "])
async def test_kyiv_is_found_in_ukrainian_russian_and_english(gazetteer, typed):
    assert await top(gazetteer, typed) == KYIV


async def test_lyon_and_its_typo_find_lyon(gazetteer):
    assert await top(gazetteer, "Lyon") == LYON
    assert await top(gazetteer, "Lyonn") == LYON


async def test_a_misspelt_city_is_found_as_a_near_miss(gazetteer):
    found = await gazetteer.find("Manchestr")
    assert found[0].geonameid == MANCHESTER
    assert found[0].match is Match.SIMILAR


async def test_an_exact_name_ranks_above_a_longer_one_that_starts_with_it(gazetteer):
    found = await gazetteer.find("Lyon")
    assert found[0].match is Match.EXACT
    assert all(p.match is Match.EXACT for p in found[:1])


async def test_a_started_name_finds_the_city(gazetteer):
    found = await gazetteer.find("Frankf")
    assert found[0].name.startswith("Frankfurt")
    assert found[0].match is Match.PREFIX


async def test_springfield_returns_several_distinct_places(gazetteer):
    found = await gazetteer.find("Springfield", limit=5)
    assert len(found) == 5
    assert len({p.geonameid for p in found}) == 5
    assert {"Illinois", "Missouri", "Massachusetts"} <= {p.admin1 for p in found}
    labels = [p.label("en") for p in found]
    assert len(set(labels)) == 5
    assert "Springfield, Illinois, United States" in labels


async def test_a_state_after_a_comma_picks_that_springfield(gazetteer):
    for typed in ("Springfield, Illinois", "Springfield, IL", "springfield,il"):
        found = await gazetteer.find(typed)
        assert found[0].admin1 == "Illinois", typed


async def test_a_country_after_a_comma_or_the_chat_country_comes_first(gazetteer):
    assert (await gazetteer.find("Paris, Texas"))[0].admin1 == "Texas"
    assert (await gazetteer.find("Paris"))[0].country == "FR"
    assert (await gazetteer.find("Paris", country="US"))[0].country == "US"


async def test_scripts_other_than_latin_find_their_cities(gazetteer):
    assert (await gazetteer.find("北京"))[0].name == "Beijing"
    assert (await gazetteer.find("القاهرة"))[0].name == "Cairo"
    assert (await gazetteer.find("東京"))[0].name == "Tokyo"


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        # Names GeoNames lacks in these scripts; CLDR's exemplar cities give them.
        ("บูคาเรส", "Bucharest"),
        ("เบลเกรด", "Belgrade"),
        ("แอดดิสอาบาบา", "Addis Ababa"),
        ("ดูชานเบ", "Dushanbe"),
        ("马拉博", "Malabo"),
        ("阿尔及尔", "Algiers"),
        ("ناسو", "Nassau"),
    ],
)
async def test_capitals_typed_in_thai_chinese_and_arabic_are_found(gazetteer, typed, name):
    assert (await gazetteer.find(typed))[0].name == name


@pytest.mark.parametrize(
    ("typed", "name", "country"),
    [
        # GeoNames holds these in traditional characters only (河內, 索菲亞, 渥太華, 葉里溫):
        # typed as a phone in mainland China writes them, they were not found, or 河内 was
        # Kōchi in Japan.
        ("河内", "Hanoi", "VN"),
        ("索菲亚", "Sofia", "BG"),
        ("渥太华", "Ottawa", "CA"),
        ("叶里温", "Yerevan", "AM"),
        # And the other way round: simplified only (马瑙斯), typed in Taiwan or Hong Kong.
        ("馬瑙斯", "Manaus", "BR"),
        ("庫馬西", "Kumasi", "GH"),
    ],
)
async def test_a_city_is_found_in_either_chinese_spelling(gazetteer, typed, name, country):
    found = (await gazetteer.find(typed))[0]
    assert (found.name, found.country) == (name, country)


@pytest.mark.parametrize("typed", HOSTILE)
async def test_hostile_input_never_raises(gazetteer, typed):
    found = await gazetteer.find(typed)
    assert isinstance(found, list)
    assert await gazetteer.country_by_name(typed) in (None, *[c for c in ["GB"]])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=120))
def test_any_text_gives_a_list_of_places(sync_search, text):
    found = run_sync(sync_search.find(text))
    assert isinstance(found, list) and len(found) <= 5
    run_sync(sync_search.country_by_name(text))


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Німеччина", "DE"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("Niemcy", "DE"),
        ("德国", "DE"),
        ("ألمانيا", "DE"),
        ("Germny", "DE"),
        ("România", "RO"),
        ("Romania", "RO"),
        ("Молдова", "MD"),
        ("Україна", "UA"),
        ("Shqipëria", "AL"),
        ("Việt Nam", "VN"),
        ("Pilipinas", "PH"),
        ("ไทย", "TH"),
        ("USA", "US"),
        ("united kingdom", "GB"),
        # Everyday names, from locales/country_names.csv.
        ("Anh", "GB"),
        ("Anh Quốc", "GB"),
        ("Штати", "US"),
        ("Mỹ", "US"),
        ("香港", "HK"),
        ("السعودية", "SA"),
        ("อังกฤษ", "GB"),
    ],
)
async def test_country_names_in_many_languages(gazetteer, typed, code):
    assert await gazetteer.country_by_name(typed) == code


async def test_a_near_miss_is_not_a_country_when_only_exact_names_are_wanted(gazetteer):
    assert await gazetteer.country_by_name("Germny", fuzzy=False) is None
    assert await gazetteer.country_by_name("Springfield") is None


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (52.52, 13.405, "DE"),  # Berlin
        (48.857, 2.352, "FR"),  # Paris
        (50.45, 30.524, "UA"),  # Kyiv
        (44.427, 26.103, "RO"),  # Bucharest
        (38.9, -77.04, "US"),  # Washington
        (-34.6, -58.38, "AR"),  # Buenos Aires
        (14.6, 120.98, "PH"),  # Manila
        (35.69, 139.69, "JP"),  # Tokyo
        (-33.87, 151.21, "AU"),  # Sydney
    ],
)
async def test_country_at_a_capital(gazetteer, lat, lon, code):
    assert await gazetteer.country_at(lat, lon) == code


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(30.0, -40.0), (0.0, -140.0), (-48.0, -120.0), (-60.0, 80.0), (91.0, 0.0), (0.0, 200.0)],
)
async def test_the_open_ocean_and_impossible_points_have_no_country(gazetteer, lat, lon):
    assert await gazetteer.country_at(lat, lon) is None


async def test_a_point_near_the_antimeridian_is_searched_across_it(gazetteer):
    assert await gazetteer.country_at(-18.14, 178.44) == "FJ"  # Suva


async def test_get_and_place_by_id(gazetteer):
    place = await gazetteer.get(MUNICH)
    assert place is not None and place.name == "Munich" and place.country == "DE"
    assert await place_by_id(gazetteer, MUNICH) == place
    assert await gazetteer.get(-1) is None
    assert await gazetteer.get(2**70) is None  # type: ignore[arg-type]
    assert await gazetteer.get("2867714") is None  # type: ignore[arg-type]


async def test_opening_a_missing_or_broken_file_says_unavailable(tmp_path):
    with pytest.raises(GazetteerUnavailable):
        await Gazetteer.open(tmp_path)
    (tmp_path / "gazetteer.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(GazetteerUnavailable):
        await Gazetteer.open(tmp_path)


# --- the find-help flow's typed place ------------------------------------------------------


def _routes(screen) -> list[Route]:
    return [b.route for row in screen.rows for b in row if b.route is not None]


async def test_a_clear_name_is_found(gazetteer):
    t = translator("en")
    outcome = await place_from_text(gazetteer, t, State(), "München")
    assert isinstance(outcome, Found) and outcome.place.geonameid == MUNICH
    outcome = await place_from_text(gazetteer, t, State(), "Lyonn")
    assert isinstance(outcome, Found) and outcome.place.geonameid == LYON


async def test_an_ambiguous_name_offers_labelled_choices(gazetteer):
    t = translator("en")
    outcome = await place_from_text(gazetteer, t, State(), "Springfield")
    assert isinstance(outcome, Choose)
    choices = [b for row in outcome.screen.rows for b in row if b.route and b.route.name == "place"]
    assert 2 <= len(choices) <= 5
    labels = [b.label for b in choices]
    assert len(set(labels)) == len(labels)
    assert "Springfield, Illinois" in labels
    assert all(len(label) <= 40 for label in labels)
    for button in choices:
        assert (await place_by_id(gazetteer, int(button.route.arg(0)))) is not None
    names = {r.name for r in _routes(outcome.screen)}
    assert {"help", "menu", "exit"} <= names


async def test_a_country_name_is_a_country(gazetteer):
    t = translator("uk")
    assert await place_from_text(gazetteer, t, State(lang="uk"), "Німеччина") == Country("DE")
    assert await place_from_text(gazetteer, t, State(), "Germny") == Country("DE")


@pytest.mark.parametrize(
    "typed", ["qqxzv wrrrk", "🙂🙂", "%' OR 1=1 --", "\u200f\u200f", "x" * 150]
)
async def test_not_found_never_repeats_what_was_typed_and_offers_ways_on(gazetteer, typed):
    t = translator("en")
    outcome = await place_from_text(gazetteer, t, State(), typed)
    assert isinstance(outcome, NotFound)
    screen = outcome.screen
    assert "could not find" in screen.text
    assert "📎" in screen.text
    if typed.strip():
        assert typed.strip() not in screen.text
    names = [r.name for r in _routes(screen)]
    assert names[:2] == ["help", "country"]
    assert names[-3:] == ["help", "menu", "exit"]  # nav.footer: back, main menu, quick exit


async def test_a_found_place_label_in_another_language(gazetteer):
    place = await gazetteer.get(KYIV)
    assert place is not None
    assert place.label("ru") == "Kyiv, Украина"
    assert place.label("fr") == "Kyiv, Ukraine"
