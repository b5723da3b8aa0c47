"""k-nearest services: candidates from a growing box on the R*Tree, ordered by geodesic.

SQLite's R*Tree answers "what lies in this box", not "what is nearest", so the search grows
a box around the point until the disc it encloses holds enough services.  Exact distances
(the geodesic on WGS-84, slow) are computed only for candidates whose cheap spherical
distance could still place them among the nearest: on the WGS84 ellipsoid the geodesic and
the mean-radius great-circle distance differ by less than 0.56 % (the ellipsoid's radii of
curvature lie between 0.9944 and 1.0045 times the mean radius), so a 0.6 % margin is safe.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Awaitable, Callable, Sequence

from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS, geodesic

from bot.directory.geography import EARTH_RADIUS_KM, spherical_km

DELTA = 0.006
_AXIS_KM, _, _FLATTENING = ELLIPSOIDS["WGS-84"]
_WGS84 = Geodesic(_AXIS_KM * 1000.0, _FLATTENING)
MAX_KM = math.pi * EARTH_RADIUS_KM * (1 + DELTA)

# A box with more rows than this is shrunk first rather than read.
CAP = 128
_MIN_KM = 0.05

BoxQuery = Callable[
    [Sequence[tuple[float, float, float, float]], int, int | None],
    Awaitable[tuple[list[tuple[int, float, float]], int]],
]
"""(boxes as (south, north, west, east), fetch, cap) -> (rows, total): (row, lat, lon) in the
boxes and how many there are.

With a cap, the rows are read plainly and `total` is counted only up to cap + 1: when
total <= cap, `rows` are all of them, in any order.  Without one (a crowded box that must be
read anyway), `rows` are the `fetch` nearest by great-circle distance, sorted by SQLite, and
`total` is exact."""


def boxes_around(lat: float, lon: float, km: float) -> list[tuple[float, float, float, float]]:
    """Boxes (south, north, west, east) that together cover every point within `km`.

    A small disc gets one box.  A big one is cut into latitude bands, each as wide as the
    disc is within that band: one box around a 3,000 km disc at 60 degrees south would span
    half the world's longitudes and hold thousands of rows the disc does not.
    """
    angle = km * (1 + DELTA) / EARTH_RADIUS_KM
    if angle >= math.pi:
        return [(-90.0, 90.0, -180.0, 180.0)]
    phi0 = math.radians(lat)
    south = max(phi0 - angle, -math.pi / 2)
    north = min(phi0 + angle, math.pi / 2)
    bands = 1 if angle < math.radians(2.0) else _BANDS
    step = (north - south) / bands
    edges = [south + i * step for i in range(bands)] + [north]
    degrees = [math.degrees(e) for e in edges]
    boxes: list[tuple[float, float, float, float]] = []
    for i in range(bands):
        width = _band_half_width(phi0, angle, edges[i], edges[i + 1])
        if width is None:
            continue
        # Neighbouring bands share their edge, widened a hair against rounding.
        low = max(degrees[i] - 1e-9, -90.0)
        high = min(degrees[i + 1] + 1e-9, 90.0)
        boxes.extend(_lon_boxes(low, high, lon, math.degrees(width)))
    return boxes


_BANDS = 8


def _band_half_width(phi0: float, angle: float, low: float, high: float) -> float | None:
    """The largest longitude half-width (radians) of the disc between two latitudes."""
    candidates = [low, high]
    sin_turn = math.sin(phi0) / math.cos(angle) if math.cos(angle) > 0 else 2.0
    if abs(sin_turn) <= 1.0:
        turn = math.asin(sin_turn)
        if low < turn < high:
            candidates.append(turn)
    widths = [w for w in (_half_width(phi0, angle, phi) for phi in candidates) if w is not None]
    return max(widths) if widths else None


def _half_width(phi0: float, angle: float, phi: float) -> float | None:
    denominator = math.cos(phi0) * math.cos(phi)
    if denominator <= 1e-12:
        return math.pi
    cosine = (math.cos(angle) - math.sin(phi0) * math.sin(phi)) / denominator
    if cosine <= -1.0:
        return math.pi
    if cosine > 1.0 + 1e-12:
        return 0.0
    # A hair wider than exact, against rounding at the edge.
    return min(math.acos(min(cosine, 1.0)) + 1e-9, math.pi)


def _lon_boxes(
    south: float, north: float, lon: float, half: float
) -> list[tuple[float, float, float, float]]:
    if half >= 180.0:
        return [(south, north, -180.0, 180.0)]
    west, east = lon - half, lon + half
    if west < -180.0:
        return [(south, north, west + 360.0, 180.0), (south, north, -180.0, east)]
    if east > 180.0:
        return [(south, north, west, 180.0), (south, north, -180.0, east - 360.0)]
    return [(south, north, west, east)]


def start_radius(rows: int, want: int) -> float:
    """A first guess: the radius holding `want` services if they were spread evenly on land."""
    land_km2 = 149e6
    even = math.sqrt(want * land_km2 / (math.pi * max(rows, 1)))
    return min(max(even / 4, 1.0), 200.0)


async def nearest_rows(
    query: BoxQuery,
    lat: float,
    lon: float,
    want: int,
    rows_hint: int,
    max_km: float | None = None,
) -> list[tuple[int, float]]:
    """Up to `want` (row, km) nearest first, within `max_km` when given."""
    if want <= 0:
        return []
    limit_km = min(max_km, MAX_KM) if max_km is not None else MAX_KM
    cache: dict[int, float] = {}
    radius = min(start_radius(rows_hint, want), limit_km)
    fetch = want * 4 + 16
    # low: a radius whose disc held too few; high: a radius whose box held too many rows.
    low, high = 0.0, math.inf
    forced = False
    while True:
        candidates, total = await query(
            boxes_around(lat, lon, radius), fetch, None if forced else CAP
        )
        if not forced and total > CAP:
            high = radius
            radius = (low + high) / 2 if low > 0 else radius / 4
            if radius < _MIN_KM or (low > 0 and high / low < 1.2):
                radius, forced = high, True
            continue
        found, settled = _closest(candidates, lat, lon, want, radius, cache)
        if forced and not settled and len(candidates) < total:
            # Everything fetched could still be among the nearest: look further down the list.
            fetch *= 4
            continue
        if len(found) >= want or radius >= limit_km:
            return found
        low, forced = radius, False
        if high <= low:
            high = math.inf  # that crowded box has been read in full; grow past it
        if high == math.inf:
            # An empty box says little about where the rows are: take bigger steps.
            radius = min(radius * (4 if total == 0 else 2), limit_km)
        elif high / low < 1.2:
            radius, forced = min(high, limit_km), True
        else:
            radius = min((low + high) / 2, limit_km)


def _closest(
    candidates: list[tuple[int, float, float]],
    lat: float,
    lon: float,
    want: int,
    radius: float,
    cache: dict[int, float],
) -> tuple[list[tuple[int, float]], bool]:
    """The `want` nearest candidates with geodesic distance <= radius, nearest first, and
    whether a candidate was seen that is provably beyond them all (so later ones are too)."""
    ordered = sorted((spherical_km(lat, lon, la, lo), n, la, lo) for n, la, lo in candidates)
    found: list[tuple[float, int]] = []
    bound = radius
    settled = False
    for rough, n, la, lo in ordered:
        if rough * (1 - DELTA) > bound:
            settled = True
            break
        exact = cache.get(n)
        if exact is None:
            exact = geodesic_km(lat, lon, la, lo)
            cache[n] = exact
        if exact <= radius:
            bisect.insort(found, (exact, n))
            if len(found) >= want:
                del found[want:]
                bound = min(radius, found[-1][0])
    return [(n, km) for km, n in found], settled


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """geopy's geodesic distance, computed the way geopy does (geographiclib's Inverse on
    WGS-84) without geopy's per-call point parsing, which costs as much as the geodesic."""
    return _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"] / 1000.0


def brute_force(
    points: Sequence[tuple[int, float, float]], lat: float, lon: float, k: int
) -> list[tuple[int, float]]:
    """The naive answer: geodesic to every point (tests and the benchmark compare with it)."""
    scored = sorted((geodesic((lat, lon), (la, lo)).km, n) for n, la, lo in points)
    return [(n, km) for km, n in scored[:k]]
