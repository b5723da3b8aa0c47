"""Typed places looked up online (GEOCODER=nominatim), against a fake geopy geocoder."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.location import Location
from geopy.point import Point

from bot.flows import router
from bot.flows.deps import Deps
from bot.flows.places import Choose, Country, Found, NotFound, place_by_id, place_from_text
from bot.flows.routes import Route
from bot.flows.state import Expect, State
from bot.geo.countries import CountryNames
from bot.geo.online import OnlinePlaces, population, to_places
from bot.geo.place import Match, Place
from bot.i18n import translator

SENTINEL = "SENTINEL-wombat-8813"


def nominatim_location(
    name: str,
    lat: float,
    lon: float,
    country_code: str | None = "de",
    state: str | None = None,
    names: dict[str, str] | None = None,
    population: str | None = None,
) -> Location:
    address: dict[str, str] = {"city": name}
    if state:
        address["state"] = state
    if country_code:
        address["country_code"] = country_code
    raw: dict[str, Any] = {
        "lat": str(lat),
        "lon": str(lon),
        "name": name,
        "display_name": ", ".join(p for p in (name, state) if p),
        "address": address,
        "namedetails": {"name": name, **(names or {})},
        "extratags": {"population": population} if population else {},
    }
    return Location(raw["display_name"], Point(lat, lon), raw)


class FakeGeocoder:
    """geopy's geocode: records each call, answers from a table (or raises)."""

    def __init__(self, answers: dict[str, list[Location]] | None = None, error=None):
        self.answers = answers or {}
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, query: str, **kwargs: Any) -> list[Location] | None:
        self.calls.append((query, kwargs))
        self.release.wait(5)
        if self.error is not None:
            raise self.error
        return self.answers.get(query.split(",")[0].lower()) or None


class FakeOffline:
    def __init__(self, places: list[Place] | None = None):
        self.places = places or []
        self.finds: list[tuple[str, int, str | None]] = []

    async def find(self, text: str, limit: int = 5, country: str | None = None) -> list[Place]:
        self.finds.append((text, limit, country))
        return self.places[:limit]

    async def get(self, geonameid: int) -> Place | None:
        return next((p for p in self.places if p.geonameid == geonameid), None)


MUNICH_OFFLINE = Place(2867714, "Munich", 48.137, 11.575, "DE", "", 1_260_391, Match.EXACT)
TWINFORD = [
    nominatim_location("Twinford", 52.52, 13.405, "de", "Berlin"),
    nominatim_location("Twinford", 34.05, -118.24, "us", "California"),
]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_found_town_becomes_a_place_with_a_kept_negative_id():
    geocode = FakeGeocoder(
        {
            "münchen": [
                nominatim_location(
                    "Munich", 48.14, 11.58, "de", "Bavaria", {"name:de": "München"}, "1 512 491"
                )
            ]
        }
    )
    online = OnlinePlaces(geocode)
    [place] = await online.find("München", 5, "US")
    assert (place.name, place.country, place.admin1) == ("Munich", "DE", "Bavaria")
    assert (place.latitude, place.longitude) == (48.14, 11.58)
    assert place.population == 1_512_491
    assert place.match is Match.EXACT  # München is one of its names
    assert place.geonameid < 0
    assert await online.get(place.geonameid) == place
    assert await place_by_id(online, place.geonameid) == place
    await online.close()


async def test_the_lookup_asks_for_many_with_addresses_and_never_sends_the_chats_country():
    geocode = FakeGeocoder({"twinford": TWINFORD})
    online = OnlinePlaces(geocode)
    await online.find("  Twinford ", 5, "US")
    [(query, kwargs)] = geocode.calls
    assert query == "Twinford"
    assert kwargs["exactly_one"] is False
    assert kwargs["addressdetails"] is True
    assert kwargs["limit"] >= 5
    assert kwargs["language"] == "en"  # fixed: the person's language is not sent
    assert "country_codes" not in kwargs
    await online.close()


async def test_online_ids_are_random_distinct_and_forgotten_after_ten_minutes():
    clock = Clock()
    online = OnlinePlaces(FakeGeocoder({"twinford": TWINFORD}), clock=clock)
    first = await online.find("Twinford")
    second = await online.find("Twinford")
    ids = [p.geonameid for p in first + second]
    assert len(set(ids)) == 4 and all(i < 0 for i in ids)
    clock.now += 599
    assert await online.get(first[0].geonameid) == first[0]
    clock.now += 2
    assert await online.get(first[0].geonameid) is None
    assert await online.get(-12345) is None
    await online.close()


async def test_only_so_many_places_are_kept():
    online = OnlinePlaces(FakeGeocoder({"twinford": TWINFORD}), keep=3)
    first = await online.find("Twinford")
    await online.find("Twinford")
    assert await online.get(first[0].geonameid) is None
    assert len(online._kept) == 3
    await online.close()


async def test_a_positive_id_is_a_geonames_place_from_the_offline_gazetteer():
    offline = FakeOffline([MUNICH_OFFLINE])
    online = OnlinePlaces(FakeGeocoder(), offline=lambda: offline)
    assert await online.get(MUNICH_OFFLINE.geonameid) == MUNICH_OFFLINE
    assert await OnlinePlaces(FakeGeocoder()).get(MUNICH_OFFLINE.geonameid) is None
    assert await online.get(True) is None  # type: ignore[arg-type]
    await online.close()


@pytest.mark.parametrize(
    "error", [GeocoderTimedOut("slow"), GeocoderServiceError("500"), OSError("unreachable")]
)
async def test_a_failed_lookup_is_answered_offline_and_logged_without_the_text(error, caplog):
    offline = FakeOffline([MUNICH_OFFLINE])
    online = OnlinePlaces(FakeGeocoder(error=error), offline=lambda: offline)
    with caplog.at_level(logging.DEBUG):
        found = await online.find(f"München {SENTINEL}", 5, "DE")
    assert found == [MUNICH_OFFLINE]
    assert offline.finds == [(f"München {SENTINEL}", 5, "DE")]
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1 and type(error).__name__ in failures[0].getMessage()
    assert SENTINEL not in caplog.text and "München" not in caplog.text
    await online.close()


async def test_nothing_found_online_is_searched_offline_where_typos_are_forgiven():
    offline = FakeOffline([MUNICH_OFFLINE])
    online = OnlinePlaces(FakeGeocoder(), offline=lambda: offline)
    assert await online.find("Muenchn") == [MUNICH_OFFLINE]
    assert await OnlinePlaces(FakeGeocoder()).find("Muenchn") == []  # no gazetteer yet


async def test_a_slow_lookup_is_given_up_for_the_offline_answer(caplog):
    geocode = FakeGeocoder({"twinford": TWINFORD})
    geocode.release.clear()
    offline = FakeOffline([MUNICH_OFFLINE])
    online = OnlinePlaces(geocode, offline=lambda: offline, wait_seconds=0.05)
    with caplog.at_level(logging.WARNING):
        assert await online.find("Twinford") == [MUNICH_OFFLINE]
    assert "TimeoutError" in caplog.text
    geocode.release.set()
    await online.close()


async def test_when_lookups_queue_up_the_next_one_is_answered_offline_unsent():
    geocode = FakeGeocoder({"twinford": TWINFORD})
    geocode.release.clear()
    offline = FakeOffline([MUNICH_OFFLINE])
    online = OnlinePlaces(geocode, offline=lambda: offline, max_waiting=1)
    waiting = asyncio.create_task(online.find("Twinford"))
    while not geocode.calls:
        await asyncio.sleep(0.01)
    assert await online.find(f"Other {SENTINEL}") == [MUNICH_OFFLINE]
    geocode.release.set()
    assert len(await waiting) == 2
    assert [q for q, _ in geocode.calls] == ["Twinford"]
    await online.close()


def test_results_without_a_country_are_dropped_and_duplicates_merged():
    found = [
        nominatim_location("Twinford", 52.52, 13.405, "de", "Berlin"),
        nominatim_location("Twinford", 52.53, 13.41, "de", "Berlin"),  # its boundary
        nominatim_location("Twinford Bay", 10.0, -140.0, None),
        TWINFORD[1],
    ]
    places = to_places(found, "twinford")
    assert [(p.country, p.admin1) for p in places] == [("DE", "Berlin"), ("US", "California")]


async def test_duplicates_are_merged_before_ids_are_given():
    found = [TWINFORD[0], nominatim_location("Twinford", 52.53, 13.41, "de", "Berlin")]
    online = OnlinePlaces(FakeGeocoder({"twinford": found}))
    assert len(await online.find("Twinford")) == 1
    await online.close()


def test_how_a_name_met_the_typed_text():
    [exact] = to_places([TWINFORD[0]], "TWINFORD, Berlin")
    [prefix] = to_places([TWINFORD[0]], "Twinf")
    [other] = to_places([TWINFORD[0]], "Twnford")
    assert (exact.match, prefix.match, other.match) == (Match.EXACT, Match.PREFIX, Match.SIMILAR)
    [city_state] = to_places([nominatim_location("Berlin", 52.5, 13.4, "de", "Berlin")], "x")
    assert city_state.admin1 == ""  # "Berlin, Berlin" tells nobody anything


def test_population_tags_as_people_write_them():
    assert population("1512491") == 1_512_491
    assert population("1,512,491") == 1_512_491
    assert population("1 512 491") == 1_512_491
    assert population("about 5000") == 0
    assert population(None) == 0
    assert population("²") == 0


async def test_the_flow_offers_online_places_with_negative_ids_and_opens_the_chosen_one():
    online = OnlinePlaces(FakeGeocoder({"twinford": TWINFORD}))
    t = translator("en")
    outcome = await place_from_text(None, t, State(), "Twinford", places=online)
    assert isinstance(outcome, Choose)
    buttons = [b for row in outcome.screen.rows for b in row if b.route and b.route.name == "place"]
    assert [b.label for b in buttons] == ["Twinford, Berlin", "Twinford, California"]
    deps = Deps(typed_places=online)
    screen = await router.open_route(buttons[1].route, State(), deps)
    assert screen.state is not None
    assert screen.state.point == (34.05, -118.24)
    assert screen.state.country == "US"
    await online.close()


async def test_typed_text_goes_online_even_before_the_gazetteer_is_open():
    online = OnlinePlaces(FakeGeocoder({"twinford": TWINFORD[:1]}))
    deps = Deps(typed_places=online)
    assert deps.places is online
    outcome = await place_from_text(None, translator("en"), State(), "Twinford", places=online)
    assert isinstance(outcome, Found)
    screen = await router.on_text(State().expecting(Expect.PLACE), deps, "Twinford")
    assert screen.state is not None and screen.state.point == (52.52, 13.405)
    assert Deps().places is None
    await online.close()


async def test_a_country_name_never_goes_online_even_before_the_gazetteer_is_open():
    geocoder = FakeGeocoder({"deutschland": TWINFORD[:1]})
    online = OnlinePlaces(geocoder)
    names = CountryNames([("deutschland", "DE"), ("germany", "DE")])

    async def by_name(text: str, fuzzy: bool) -> str | None:
        return names.find(text, fuzzy)

    t = translator("en")
    for places in (online, None):
        outcome = await place_from_text(
            None, t, State(), "Deutschland", places=places, country_by_name=by_name
        )
        assert outcome == Country("DE")
    assert geocoder.calls == []
    # A near miss could be a town ("Yalta" is not Malta): with nothing to ask, it stays unsure.
    outcome = await place_from_text(
        None, t, State(), "Germny", places=None, country_by_name=by_name
    )
    assert isinstance(outcome, NotFound)
    await online.close()


async def test_a_forged_or_stale_choice_opens_the_question_again():
    online = OnlinePlaces(FakeGeocoder())
    deps = Deps(typed_places=online)
    for arg in ("-1", "-99999999999", "0", "abc", "--5"):
        screen = await router.open_route(Route("place", (arg,)), State(), deps)
        assert screen.state is not None and screen.state.expect is Expect.PLACE
    await online.close()
