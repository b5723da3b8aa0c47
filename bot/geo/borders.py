"""The country at a point, by its borders: offline, from the first second after start.

The country decides which rights, which emergency number and which helplines a person sees,
so it must not be guessed from the nearest town (a point in Singapore's west is nearer a
Malaysian town; Brazzaville's outskirts nearer Kinshasa). `timezonefinder` ships the time-zone
polygons of timezone-boundary-builder, drawn from OpenStreetMap's boundaries without
simplification; inside a country every zone follows its national border, and tzdata's
`zone.tab` names the one country each zone belongs to. Territories with their own zone
answer as themselves (Gibraltar GI, Vatican VA, Hong Kong HK, Puerto Rico PR, Büsingen DE).

Where one zone's polygon holds two countries (northern Vietnam inside Asia/Bangkok), the
nearest large town of those two decides.  Disputed areas answer as the time-zone data draws
them. At sea there is no country (None).
"""

from __future__ import annotations

import functools
import logging
from importlib import resources

from bot.geo.towns import nearest_town_country, towns

log = logging.getLogger("waypoint.geo")

# South of 60°S: the Antarctic Treaty area.
ANTARCTIC_TREATY_LAT = -60.0


@functools.lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO 3166-1 alpha-2, from tzdata's zone.tab (one country per zone)."""
    table: dict[str, str] = {}
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            table[parts[2]] = parts[0]
    return table


# Zones whose polygon holds more than one country, where zone.tab names only one.  The
# time-zone data draws northern Vietnam (Hanoi, Haiphong) inside Asia/Bangkok (tzdata's
# zone1970.tab: "TH,KH,LA,VN"); the benchmark against Natural Earth (bench/borders.py) found
# Hanoi answering as Thailand.  Laos lies between the two parts, so the nearest large town of
# the listed countries tells them apart without any doubt near a border.
SHARED_ZONES: dict[str, tuple[str, ...]] = {"Asia/Bangkok": ("TH", "VN")}

# Areas whose status is disputed, where the law that applies may not be the one of the country
# the data names: those the time-zone data draws as a zone of their own (Crimea, Northern
# Cyprus, Western Sahara, the West Bank, Gaza), and Kosovo, which it draws inside Serbia and
# GeoNames' towns tell apart.
DISPUTED_ZONES = frozenset(
    {"Europe/Simferopol", "Asia/Famagusta", "Africa/El_Aaiun", "Asia/Hebron", "Asia/Gaza"}
)
_KOSOVO_AND_SERBIA = ("RS", "XK")
# Within a shared zone or Serbia's: the nearest town of the listed countries, however far.
_ANY_DISTANCE_KM = 1000.0


@functools.lru_cache(maxsize=1)
def _finder():  # noqa: ANN202 - timezonefinder has no public type to name here
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


def country_at(lat: float, lon: float) -> str | None:
    """ISO 3166-1 alpha-2 of the country whose borders hold the point, or None (at sea)."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    if lat < ANTARCTIC_TREATY_LAT:
        # The time-zone data splits Antarctica by the zones its stations keep (Perth,
        # Johannesburg…); no country's law applies there, so it answers as Antarctica.
        return "AQ"
    try:
        zone = _finder().timezone_at(lng=lon, lat=lat)
    except (ValueError, OSError) as exc:
        log.warning("border lookup failed (%s)", type(exc).__name__)
        return None
    if not zone:
        return None
    shared = SHARED_ZONES.get(zone)
    if shared:
        return nearest_town_country(lat, lon, _ANY_DISTANCE_KM, among=shared)
    return _zone_countries().get(zone)


def is_disputed(lat: float, lon: float) -> bool:
    """True in an area whose status is disputed (see DISPUTED_ZONES): the screen then says
    which country's law it assumed."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or lat < ANTARCTIC_TREATY_LAT:
        return False
    try:
        zone = _finder().timezone_at(lng=lon, lat=lat)
    except (ValueError, OSError):
        return False
    if zone in DISPUTED_ZONES:
        return True
    if zone == "Europe/Belgrade":
        nearest = nearest_town_country(lat, lon, _ANY_DISTANCE_KM, among=_KOSOVO_AND_SERBIA)
        return nearest == "XK"
    return False


def warm_up() -> None:
    """Load the polygons and the towns now (about half a second, in a thread at start), not at
    the first location."""
    _finder()
    _zone_countries()
    towns()
