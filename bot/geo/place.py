"""A populated place from the gazetteer."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

from bot.geo.countries import country_name

EARTH_RADIUS_KM = 6371.0088


class Match(IntEnum):
    """How a place's name met what was typed; a higher value is a better match."""

    NONE = 0
    SIMILAR = 1  # a small typo away (trigram candidates, then edit distance)
    PREFIX = 2  # the typed text starts one of its names ("Frankf")
    EXACT = 3  # one of its names, once accents, case and punctuation are set aside


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str  # GeoNames' main name, in Latin script ("Munich", "Kyiv", "São Paulo")
    latitude: float
    longitude: float
    country: str  # ISO 3166-1 alpha-2
    admin1: str = ""  # state or region where known ("Illinois"); often empty
    population: int = 0
    # How this place was found; not part of its identity.
    match: Match = field(default=Match.NONE, compare=False)

    def label(self, lang: str = "en") -> str:
        """ "Springfield, Illinois, United States", the country named in `lang`."""
        parts = [self.name]
        if self.admin1 and self.admin1 != self.name:
            parts.append(self.admin1)
        country = country_name(self.country, lang)
        if country:
            parts.append(country)
        return ", ".join(parts)

    def distance_km(self, latitude: float, longitude: float) -> float:
        return distance_km(self.latitude, self.longitude, latitude, longitude)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance; within 0.5 % of the geodesic, plenty for "nearest"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
