"""The gazetteer through geopy's interface, and choosing a geocoder by configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from geopy.exc import ConfigurationError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from bot.geo.gazetteer import GazetteerUnavailable
from bot.geo.geocoder import OfflineGeocoder, RateLimitedGeocoder, make_geocoder, nominatim


@pytest.fixture(scope="module")
def geocoder(gazetteer_dir: Path):
    offline = make_geocoder({"BOT_DATA_DIR": str(gazetteer_dir)})
    yield offline
    offline.close()


def test_offline_is_the_default_and_is_a_geopy_geocoder(geocoder):
    assert isinstance(geocoder, OfflineGeocoder)
    assert isinstance(geocoder, Geocoder)


def test_geocode_returns_a_geopy_location(geocoder):
    location = geocoder.geocode("München")
    assert isinstance(location, Location)
    assert location.address == "Munich, Germany"
    assert location.latitude == pytest.approx(48.137, abs=0.05)
    assert location.longitude == pytest.approx(11.575, abs=0.05)
    assert location.raw["country_code"] == "DE"


def test_geocode_many_and_in_another_language(geocoder):
    locations = geocoder.geocode("Springfield", exactly_one=False, limit=3, language="es")
    assert isinstance(locations, list) and len(locations) == 3
    assert all(loc.address.endswith("Estados Unidos") for loc in locations)


def test_geocode_prefers_the_country_asked_for(geocoder):
    assert geocoder.geocode("Paris", country_codes="us").raw["country_code"] == "US"
    assert geocoder.geocode("Paris", country_codes=["US"]).raw["country_code"] == "US"


def test_geocode_of_nothing_is_none(geocoder):
    assert geocoder.geocode("qqxzv wrrrk") is None
    assert geocoder.geocode("") is None
    assert geocoder.geocode('"*():^ %_') is None


def test_reverse_names_the_nearest_place(geocoder):
    location = geocoder.reverse((50.45, 30.52))
    assert isinstance(location, Location)
    assert location.raw["country_code"] == "UA"
    assert geocoder.reverse(Point(48.857, 2.352)).raw["country_code"] == "FR"
    assert geocoder.reverse("52.52, 13.405", exactly_one=False)[0].raw["country_code"] == "DE"


def test_reverse_at_sea_is_none_and_nonsense_is_an_error(geocoder):
    assert geocoder.reverse((0.0, -140.0)) is None
    with pytest.raises(ValueError):
        geocoder.reverse("not a point")


def test_nominatim_only_by_explicit_configuration_with_a_user_agent():
    with pytest.raises(ConfigurationError):
        make_geocoder({"GEOCODER": "nominatim"})
    chosen = make_geocoder(
        {"GEOCODER": "nominatim", "GEOCODER_USER_AGENT": "waypoint-test (ops@example.org)"}
    )
    # Nothing is sent here: the test only checks what was put together.
    assert isinstance(chosen, RateLimitedGeocoder)
    assert isinstance(chosen.geocoder, Nominatim)
    assert isinstance(chosen.geocode, RateLimiter) and isinstance(chosen.reverse, RateLimiter)
    assert chosen.geocode.min_delay_seconds >= 1


def test_an_unknown_geocoder_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError):
        make_geocoder({"GEOCODER": "google"})
    with pytest.raises(GazetteerUnavailable):
        make_geocoder({"GEOCODER": "offline"}, data_dir=tmp_path)


def test_nominatim_can_point_at_a_self_hosted_server_and_raises_instead_of_retrying():
    chosen = make_geocoder(
        {
            "GEOCODER": "nominatim",
            "GEOCODER_USER_AGENT": "waypoint-test (ops@example.org)",
            "GEOCODER_DOMAIN": "127.0.0.1:8089",
            "GEOCODER_SCHEME": "http",
        }
    )
    assert isinstance(chosen, RateLimitedGeocoder)
    assert chosen.geocoder.domain == "127.0.0.1:8089"
    assert chosen.geocoder.scheme == "http"
    # A failure is answered offline at once; geopy's retry warnings would repeat the query.
    assert chosen.geocode.max_retries == 0 and not chosen.geocode.swallow_exceptions
    default = nominatim("waypoint-test (ops@example.org)")
    assert default.geocoder.domain == "nominatim.openstreetmap.org"
    assert default.geocoder.scheme == "https"
    with pytest.raises(ConfigurationError):
        nominatim("waypoint-test", scheme="ftp")
