"""k-nearest services: a best-first walk down the R*Tree, ordered by geodesic distance.

SQLite's R*Tree answers "what lies in this box", not "what is nearest".  Asking it with a box
that grows until it holds enough services works near towns but not far from them: a point in
mid-ocean needs many rounds, and the last box can hold thousands of services along a distant
coast.  So the search reads the tree's own boxes instead (see `bot.directory.rtree`): it keeps
a queue of boxes ordered by how near the point they could be and always opens the nearest.
The searched region grows outward from the point, box by box, and the walk stops as soon as
no unopened box can hold anything nearer than the services already found.

Every key in the queue is a lower bound on the geodesic distance (WGS-84, what geopy
computes), which is computed exactly only for the rows that could still be among the nearest:

- a box: its great-circle distance on the mean-radius sphere, less 0.6 %: the two differ by
  less than 0.56 % (the ellipsoid's radii of curvature lie between 0.9944 and 1.0045 times the
  mean radius);
- a row: Lambert's formula for the ellipsoid, less 0.01 %.  Up to 15,000 km it is within
  0.0002 % of the geodesic (tests/test_directory_search.py measures it on random pairs), so
  far fewer rows need the exact, slow geodesic than with the sphere's 0.6 %; beyond that the
  sphere's bound is used.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Sequence
from typing import Protocol

from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS, geodesic

from bot.directory.geography import EARTH_RADIUS_KM

DELTA = 0.006
LAMBERT_DELTA = 1e-4
LAMBERT_MAX_KM = 15_000.0
# Keys are lowered by this against rounding: the tree stores coordinates as 32-bit floats
# (rounded outwards, at most ~2 m off; a row's key is taken from the middle of its cell), and
# an arc cosine near 1 is good to a fraction of a metre.
_SLACK_KM = 0.01
_AXIS_KM, _, _FLATTENING = ELLIPSOIDS["WGS-84"]
_WGS84 = Geodesic(_AXIS_KM * 1000.0, _FLATTENING)
MAX_KM = math.pi * EARTH_RADIUS_KM * (1 + DELTA)

Cell = tuple[int, float, float, float, float]
"""An R*Tree cell: (child node or row, south, north, west, east), in degrees."""


Box = tuple[int, float, float, float, float, float, float, float, float]
"""An inner node's cell made ready for distances: (child node, south and north in radians,
west and east in degrees, sin and cos of south, sin and cos of north)."""


def prepare(cells: Sequence[Cell]) -> list[Box]:
    """Inner nodes are opened by nearly every search; their trigonometry is done once."""
    boxes = []
    for ident, south, north, west, east in cells:
        lo, hi = math.radians(south), math.radians(north)
        boxes.append(
            (ident, lo, hi, west, east, math.sin(lo), math.cos(lo), math.sin(hi), math.cos(hi))
        )
    return boxes


class Tree(Protocol):
    """What the walk needs from a spatial index (node 1 is the root)."""

    def height(self) -> int:
        """Levels above the rows of the root: 0 when the root's cells are rows."""
        ...

    def inner(self, number: int) -> Sequence[Box]:
        """The cells of a node whose cells are nodes."""
        ...

    def leaf(self, number: int) -> Sequence[Cell]:
        """The cells of a node whose cells are rows."""
        ...

    def point(self, row: int) -> tuple[float, float, int] | None:
        """The row's exact (lat, lon, category mask)."""
        ...


class Origin:
    """The point searched from, with what every distance from it needs computed once."""

    __slots__ = ("lon", "phi", "sin_phi", "cos_phi", "beta")

    def __init__(self, lat: float, lon: float) -> None:
        self.lon = lon
        self.phi = math.radians(lat)
        self.sin_phi, self.cos_phi = math.sin(self.phi), math.cos(self.phi)
        self.beta = _reduced(self.phi)

    def box_angle(self, box: Box) -> float:
        """Great-circle distance (radians) to the nearest point of a prepared box; 0 inside
        it.  Exact on the sphere."""
        _, lo, hi, west, east, sin_lo, cos_lo, sin_hi, cos_hi = box
        if west <= self.lon <= east:
            return max(lo - self.phi, self.phi - hi, 0.0)
        # Outside the box's longitudes the nearest point lies on the nearer meridian edge:
        # along any parallel, distance grows with the difference in longitude.
        d_lon = math.radians(min((west - self.lon) % 360.0, (self.lon - east) % 360.0))
        sin_phi, cos_phi = self.sin_phi, self.cos_phi
        across = cos_phi * math.cos(d_lon)
        # Along that meridian the cosine of the distance is a sinusoid in latitude, largest
        # (nearest) at `turn`; if `turn` lies on the edge the distance is the cross-track
        # one, otherwise the nearer end of the edge is nearest.
        turn = math.atan2(sin_phi, across)
        if lo <= turn <= hi:
            cosine = math.hypot(sin_phi, across)
        else:
            cosine = max(sin_phi * sin_lo + across * cos_lo, sin_phi * sin_hi + across * cos_hi)
        return math.acos(max(-1.0, min(1.0, cosine)))

    def sphere_km(self, lat: float, lon: float) -> float:
        """Great-circle (haversine) distance on the mean-radius sphere."""
        phi = math.radians(lat)
        h = (
            math.sin((phi - self.phi) / 2) ** 2
            + self.cos_phi * math.cos(phi) * math.sin(math.radians(lon - self.lon) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))

    def lambert_km(self, lat: float, lon: float) -> float:
        """Lambert's formula for the distance on WGS-84 (see the module's docstring)."""
        b1, b2 = self.beta, _reduced(math.radians(lat))
        h = (
            math.sin((b2 - b1) / 2) ** 2
            + math.cos(b1) * math.cos(b2) * math.sin(math.radians(lon - self.lon) / 2) ** 2
        )
        sigma = 2 * math.asin(min(1.0, math.sqrt(h)))
        half_cos, half_sin = math.cos(sigma / 2), math.sin(sigma / 2)
        if half_sin < 1e-12 or half_cos < 1e-12:
            return _AXIS_KM * sigma
        p, q = (b1 + b2) / 2, (b2 - b1) / 2
        x = (sigma - math.sin(sigma)) * (math.sin(p) * math.cos(q) / half_cos) ** 2
        y = (sigma + math.sin(sigma)) * (math.cos(p) * math.sin(q) / half_sin) ** 2
        return _AXIS_KM * (sigma - _FLATTENING / 2 * (x + y))

    def row_bound(self, lat: float, lon: float) -> float:
        """A lower bound on the geodesic to a point, tight to 0.01 % below 15,000 km."""
        km = self.lambert_km(lat, lon)
        if km < LAMBERT_MAX_KM:
            return km * (1 - LAMBERT_DELTA)
        return self.sphere_km(lat, lon) * (1 - DELTA)


def _reduced(phi: float) -> float:
    return math.atan((1 - _FLATTENING) * math.tan(phi))


def box_km(lat: float, lon: float, south: float, north: float, west: float, east: float) -> float:
    """Great-circle distance (km, mean-radius sphere) from a point to a box; 0 inside it."""
    box = prepare([(0, south, north, west, east)])[0]
    return EARTH_RADIUS_KM * Origin(lat, lon).box_angle(box)


# Kinds of queue entries: a node of the tree; a row's cell keyed by the sphere (cheap) and
# then, once it comes up, by Lambert's formula (tighter).
_NODE, _CELL, _ROW = 0, 1, 2


def nearest_rows(
    tree: Tree,
    lat: float,
    lon: float,
    want: int,
    mask: int = 0,
    max_km: float | None = None,
) -> list[tuple[int, float]]:
    """Up to `want` (row, km) nearest first by geodesic, within `max_km` when given; with a
    `mask`, only rows sharing a category bit with it."""
    if want <= 0:
        return []
    limit = min(max_km, MAX_KM) if max_km is not None else MAX_KM
    origin = Origin(lat, lon)
    found: list[tuple[float, int]] = []
    bound = limit
    # (lower bound on the geodesic in km, kind, node or row, node's height; or row's middle)
    queue: list[tuple[float, int, int, float, float]] = []
    heapq.heappush(queue, (0.0, _NODE, 1, float(tree.height()), 0.0))
    while queue:
        key, kind, ident, a, b = heapq.heappop(queue)
        if key > bound:
            break
        if kind == _NODE:
            if a > 0:
                _push_nodes(queue, tree.inner(ident), int(a) - 1, origin, bound)
            else:
                _push_rows(queue, tree.leaf(ident), origin, bound)
        elif kind == _CELL:
            tight = origin.row_bound(a, b) - _SLACK_KM
            if tight <= bound:
                heapq.heappush(queue, (tight, _ROW, ident, a, b))
        else:
            point = tree.point(ident)
            if point is None or (mask and not point[2] & mask):
                continue
            km = geodesic_km(lat, lon, point[0], point[1])
            if km <= limit:
                bisect.insort(found, (km, ident))
                if len(found) >= want:
                    del found[want:]
                    bound = min(limit, found[-1][0])
    return [(n, km) for km, n in found]


def _push_nodes(
    queue: list[tuple[float, int, int, float, float]],
    boxes: Sequence[Box],
    height: int,
    origin: Origin,
    bound: float,
) -> None:
    scale = EARTH_RADIUS_KM * (1 - DELTA)
    level = float(height)
    for box in boxes:
        key = origin.box_angle(box) * scale - _SLACK_KM
        if key <= bound:
            heapq.heappush(queue, (key, _NODE, box[0], level, 0.0))


def _push_rows(
    queue: list[tuple[float, int, int, float, float]],
    cells: Sequence[Cell],
    origin: Origin,
    bound: float,
) -> None:
    shrink = 1 - DELTA
    for ident, south, north, west, east in cells:
        middle_lat, middle_lon = (south + north) / 2, (west + east) / 2
        key = origin.sphere_km(middle_lat, middle_lon) * shrink - _SLACK_KM
        if key <= bound:
            heapq.heappush(queue, (key, _CELL, ident, middle_lat, middle_lon))


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """geopy's geodesic distance, computed the way geopy does (geographiclib's Inverse on
    WGS-84) without geopy's per-call point parsing, which costs as much as the geodesic."""
    return _WGS84._GenInverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)[1] / 1000.0


def brute_force(
    points: Sequence[tuple[int, float, float]], lat: float, lon: float, k: int
) -> list[tuple[int, float]]:
    """The naive answer: geodesic to every point (tests and the benchmark compare with it)."""
    scored = sorted((geodesic((lat, lon), (la, lo)).km, n) for n, la, lo in points)
    return [(n, km) for km, n in scored[:k]]
