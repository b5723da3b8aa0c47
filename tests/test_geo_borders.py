"""The country at a point comes from borders, not from the nearest town (issue #15)."""

from __future__ import annotations

import pytest

from bot.geo.borders import country_at, is_disputed


@pytest.mark.parametrize(
    ("where", "lat", "lon", "country"),
    [
        ("Singapore's west (Jurong), nearer Malaysian towns", 1.35, 103.70, "SG"),
        ("Brazzaville, across the river from Kinshasa", -4.27, 15.28, "CG"),
        ("Kinshasa", -4.32, 15.31, "CD"),
        ("Gibraltar", 36.14, -5.35, "GI"),
        ("the Vatican", 41.9029, 12.4534, "VA"),
        ("Rome, around the Vatican", 41.8967, 12.4822, "IT"),
        ("Hong Kong", 22.30, 114.17, "HK"),
        ("Puerto Rico", 18.22, -66.5, "PR"),
        ("Büsingen, a German exclave in Switzerland", 47.697, 8.69, "DE"),
        ("Schaffhausen, next to it", 47.697, 8.634, "CH"),
        ("Aachen", 50.776, 6.084, "DE"),
        ("Riyadh", 24.71, 46.67, "SA"),
        # Northern Vietnam keeps Bangkok's zone in the time-zone data: still Vietnam.
        ("Hanoi", 21.03, 105.85, "VN"),
        ("Haiphong", 20.86, 106.68, "VN"),
        ("Vinh", 18.67, 105.68, "VN"),
        ("Bangkok", 13.75, 100.5, "TH"),
        ("Nong Khai, across the Mekong from Laos", 17.88, 102.74, "TH"),
        ("Chiang Rai", 19.91, 99.83, "TH"),
        ("Antarctica, in a sector that keeps Perth's time", -75.0, 140.0, "AQ"),
    ],
)
def test_points_near_borders_answer_as_the_country_that_holds_them(
    where: str, lat: float, lon: float, country: str
) -> None:
    assert country_at(lat, lon) == country, where


def test_mid_ocean_and_impossible_points_have_no_country() -> None:
    assert country_at(0.0, -30.0) is None
    assert country_at(123.0, 0.0) is None


@pytest.mark.parametrize(
    ("where", "lat", "lon", "disputed"),
    [
        ("Simferopol, Crimea", 44.95, 34.10, True),
        ("Pristina, Kosovo (drawn inside Serbia)", 42.66, 21.16, True),
        ("Laayoune, Western Sahara", 27.15, -13.20, True),
        ("Ramallah, West Bank", 31.90, 35.20, True),
        ("Niš, Serbia", 43.32, 21.90, False),
        ("Belgrade", 44.80, 20.46, False),
        ("Kyiv", 50.45, 30.52, False),
    ],
)
def test_disputed_areas_are_known_so_the_screen_can_say_which_law_it_assumed(
    where: str, lat: float, lon: float, disputed: bool
) -> None:
    assert is_disputed(lat, lon) is disputed, where
