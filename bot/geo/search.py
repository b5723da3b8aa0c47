"""Searching the gazetteer: typed names to places, names to countries, points to countries.

The logic is written once, as coroutines over a `Rows` callable.  The bot's `Gazetteer` passes
an aiosqlite one; the geopy geocoder, whose interface is synchronous, passes a plain sqlite3
one whose coroutines never suspend, and drives them with `run_sync`.

Ranking: a name equal to what was typed (after `normalise`) always comes first, larger places
before smaller.  Without one, names that start with what was typed and names a typo or two
away are ranked together by a score in edits that also weighs population (see the constants
below and docs/gazetteer.md).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol, TypeVar

from bot.geo.countries import CountryNames
from bot.geo.names import MAX_KEY_CHARS, edit_distance, normalise, similarity
from bot.geo.place import Match, Place

T = TypeVar("T")

# Queries over names join with CROSS JOIN, which SQLite takes as "in this order": from the
# few matching names to their places, never the other way round.
PLACE_COLUMNS = "p.geonameid, p.name, p.latitude, p.longitude, p.country, p.admin1, p.population"
MAX_LIMIT = 50
# How many candidate names one search may read.  Names are numbered by population, so the
# prefix and full-text candidates are the likeliest ones; the caps bound one search's time.
PREFIX_CANDIDATES = 60
SIMILAR_CANDIDATES = 200
ONE_TYPO_CANDIDATES = 400
# Sorts after every character a name can hold, to bound a prefix range in the name index.
_LAST_CHAR = chr(0x10FFFF)
# Scores are in "edits" (lower is better).  A tenfold population is worth a tenth of an edit,
# and a name that starts with what was typed costs about as much as a typo: "Lyonn" is
# Lyon, not a village called Lyonne; "Frankf" is still Frankfurt.
POPULATION_WEIGHT = 0.1
PREFIX_COST = 0.3
# A place's own main name counts for a little more than another language's name for a
# similar-sized place ("Porto" is Porto before it is Bordeaux in Occitan), but not for more
# than a much larger place (Moscow, Russia stays ahead of Moscow, Idaho).
MAIN_NAME_BONUS = 0.15
# Places of the same name and country this close together are one place to a person
# (GeoNames sometimes lists a town and a section of it).
SAME_PLACE_KM = 10.0
# Beyond this distance from any populated place a point is taken to be at sea.
COUNTRY_AT_MAX_KM = 350.0
_SEARCH_STEPS_KM = (15.0, 60.0, 200.0, COUNTRY_AT_MAX_KM)


class Rows(Protocol):
    """Runs one read-only SQL statement and returns all its rows."""

    def __call__(
        self, sql: str, params: Sequence[object] = ()
    ) -> Coroutine[Any, Any, list[tuple[Any, ...]]]: ...


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (one over a synchronous `Rows`) to its result."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a synchronous gazetteer search tried to wait for something")


def _place(row: Sequence[Any], match: Match = Match.NONE) -> Place:
    gid, name, lat, lon, country, admin1, population = row
    return Place(int(gid), name, float(lat), float(lon), country, admin1 or "", population, match)


def _fts_phrase(term: str) -> str:
    # Every term is a quoted FTS5 string, so nothing typed can be read as query syntax.
    return '"' + term.replace('"', '""') + '"'


def _trigrams(padded: str) -> list[str]:
    return list(dict.fromkeys(padded[i : i + 3] for i in range(len(padded) - 2)))


def allowed_typos(key: str) -> int:
    """How many edits still count as "the same name", by length."""
    if len(key) < 4:
        return 0
    if len(key) <= 7:
        return 1
    return 2 if len(key) <= 12 else 3


def _popularity(population: int) -> float:
    return math.log10(max(population, 0) + 1)


def _glob_literal(text: str) -> str:
    # Keys hold no punctuation, but a GLOB pattern must never read typed text as a wildcard.
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def one_typo_patterns(key: str, start: int) -> tuple[list[str], list[str]]:
    """GLOB patterns and exact strings for every name one typo from `key` at `start` or later.

    A typo is a wrong letter ("munxhen"), a letter missing ("munhen") or extra ("munchhen"),
    or two letters swapped ("mnuchen").
    """
    globs: list[str] = []
    exact: list[str] = []
    for i in range(start, len(key) + 1):
        head, tail = _glob_literal(key[:i]), _glob_literal(key[i + 1 :])
        globs.append(head + "?" + _glob_literal(key[i:]))  # a letter missing here
        if i < len(key):
            globs.append(head + "?" + tail)  # a wrong letter here
            exact.append(key[:i] + key[i + 1 :])  # an extra letter here
        if i + 1 < len(key):
            exact.append(key[:i] + key[i + 1] + key[i] + key[i + 2 :])  # a swap
    return globs, [e for e in exact if e]


def pair_query(trigrams: list[str], counts: dict[str, int]) -> str:
    """A full-text query for names sharing any two of the typed name's rarer trigrams.

    Used for names that may hold two or three typos.  Each typo spoils the three or four
    trigrams around it; of the eight rarest trigrams typed, at least two survive two typos
    in a long name.
    """
    present = sorted((t for t in trigrams if t in counts), key=counts.__getitem__)
    if len(present) < 6:
        return ""
    chosen = present[:8]
    return " OR ".join(
        f"({_fts_phrase(a)} AND {_fts_phrase(b)})" for a, b in itertools.combinations(chosen, 2)
    )


class Search:
    """All gazetteer queries, over any `Rows`."""

    def __init__(self, rows: Rows) -> None:
        self._rows = rows
        self._country_names: CountryNames | None = None
        self._regions: dict[str, tuple[str, str]] | None = None

    # --- places by name -----------------------------------------------------------------

    async def find(self, text: object, limit: int = 5, country: str | None = None) -> list[Place]:
        """Places whose names match `text`, best first; [] for anything unusable.

        `country` (ISO2, the chat's country) leans towards that country's places.  A trailing
        ", Country" or ", State" in the text puts those places first ("Springfield, IL").
        """
        if not isinstance(text, str):
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        place_text, hints = await self._split(text)
        key = normalise(place_text)
        if not key:
            return []
        preferred = (country or "").upper() or None
        countries, regions = hints

        def bonus(place: Place) -> float:
            # A country or state named after a comma decides; the chat's country only
            # leans (someone in the US who types "Paris" more likely means Paris, Texas).
            named = int(place.country in countries) + int(place.admin1 in regions)
            return 10.0 * named + (0.2 if place.country == preferred else 0.0)

        scored: list[tuple[float, Place]] = [
            (
                -100.0
                - POPULATION_WEIGHT * _popularity(p.population)
                - (MAIN_NAME_BONUS if normalise(p.name) == key else 0.0)
                - bonus(p),
                p,
            )
            for p in await self._exact(key)
        ]
        if not scored:
            for edits, likeness, place in await self._near_misses(key):
                score = edits - likeness - POPULATION_WEIGHT * _popularity(place.population)
                scored.append((score - bonus(place), place))
        scored.sort(key=lambda item: item[0])
        found: dict[int, Place] = {}
        for _, place in scored:
            found.setdefault(place.geonameid, place)
        return distinct(list(found.values()))[:limit]

    async def _split(self, text: str) -> tuple[str, tuple[frozenset[str], frozenset[str]]]:
        """The place part of "Place, Region, Country", and the countries/regions named after it."""
        text = text[:200]
        parts = [part for part in text.split(",") if normalise(part)]
        if len(parts) < 2:
            return text, (frozenset(), frozenset())
        countries: set[str] = set()
        regions: set[str] = set()
        for part in parts[1:]:
            key = normalise(part)
            codes = (await self._countries()).get(key)
            if codes:
                countries.update(codes)
            region = (await self._region_keys()).get(key)
            if region:
                countries.add(region[0])
                regions.add(region[1])
        return parts[0], (frozenset(countries), frozenset(regions))

    async def _exact(self, key: str) -> list[Place]:
        rows = await self._rows(
            f"SELECT {PLACE_COLUMNS} FROM key k CROSS JOIN name n ON n.key_id = k.id"
            " CROSS JOIN place p ON p.geonameid = n.geonameid"
            " WHERE k.length = ? AND k.text = ? ORDER BY p.population DESC LIMIT 200",
            (len(key), key),
        )
        return [_place(row, Match.EXACT) for row in rows]

    async def _near_misses(self, key: str) -> list[tuple[float, float, Place]]:
        """(edits, trigram similarity, place) for names that start with `key` or are a typo away.

        A name that starts with what was typed counts as PREFIX_COST edits.  Two statements
        in the usual case: the candidate names, then their places (each statement is a round
        trip to aiosqlite's thread, which costs more than the lookups themselves).
        """
        typos = allowed_typos(key)
        parts: list[str] = []
        params: list[object] = []
        if len(key) >= 3:
            # The name index is ordered by (length, text): one short range per longer length
            # holds the names starting with `key`; the lowest ids are the largest places.
            longer = range(len(key) + 1, MAX_KEY_CHARS + 1)
            parts.append(
                "SELECT * FROM (SELECT 0, id, text FROM key"
                f" WHERE length IN ({','.join('?' * len(longer))}) AND text >= ? AND text < ?"
                " ORDER BY id LIMIT ?)"
            )
            params += [*longer, key, key + _LAST_CHAR, PREFIX_CANDIDATES]
        if typos:
            for sql, args in self._one_typo_queries(key):
                parts.append(f"SELECT * FROM ({sql})")
                params += args
        if not parts:
            return []
        rows = await self._rows(" UNION ALL ".join(parts), params)
        prefixes = {kid: text for kind, kid, text in rows if kind == 0}
        typo_texts = {kid: text if kind == 1 else text[::-1] for kind, kid, text in rows if kind}
        if not typo_texts and typos > 1:
            typo_texts = dict(await self._many_typos(key))
        edits: dict[int, float] = {kid: PREFIX_COST for kid in prefixes}
        texts = {**typo_texts, **prefixes}
        for kid, text in typo_texts.items():
            if kid not in edits and text != key:
                distance = edit_distance(key, text, typos)
                if distance <= typos:
                    edits[kid] = distance
        if not edits:
            return []
        found = []
        for row in await self._places_named(list(edits)):
            kid = row[7]
            match = Match.PREFIX if kid in prefixes else Match.SIMILAR
            likeness = 0.0 if kid in prefixes else similarity(key, texts[kid])
            found.append((edits[kid], likeness, _place(row[:7], match)))
        return found

    def _one_typo_queries(self, key: str) -> list[tuple[str, list[object]]]:
        """Statements for every name one typo from `key`, straight from the name indexes.

        One typo leaves either the first half of the name or the last half intact: names
        are looked up by that half in the name index (first half) or the index of reversed
        names (last half), and SQLite checks the typo patterns on the few that share it.
        Rows are (1, id, name) forwards and (2, id, reversed name) backwards.
        """
        half = len(key) // 2
        queries = []
        for kind, table, text in ((1, "key", key), (2, "rkey", key[::-1])):
            # Forwards the typo is in the second half; backwards (reversed) in the first.
            start = half if table == "key" else len(key) - half
            globs, exact = one_typo_patterns(text, start)
            sql = (
                f"SELECT {kind}, id, text FROM {table} WHERE length IN (?, ?, ?)"
                " AND text >= ? AND text < ?"
                f" AND (text IN ({','.join('?' * len(exact))})"
                f" OR {' OR '.join(['text GLOB ?'] * len(globs))})"
                " LIMIT ?"
            )
            args: list[object] = [len(key) - 1, len(key), len(key) + 1]
            args += [text[:start], text[:start] + _LAST_CHAR, *exact, *globs, ONE_TYPO_CANDIDATES]
            queries.append((sql, args))
        return queries

    async def _many_typos(self, key: str) -> list[tuple[int, str]]:
        trigrams = _trigrams(f" {key} ")
        counts = dict(
            await self._rows(
                f"SELECT text, names FROM trigram WHERE text IN ({','.join('?' * len(trigrams))})",
                trigrams,
            )
        )
        query = pair_query(trigrams, counts)
        if not query:
            return []
        return await self._rows(
            "SELECT id, text FROM key WHERE id IN"
            " (SELECT rowid FROM key_fts WHERE key_fts MATCH ? ORDER BY rowid LIMIT ?)",
            (query, SIMILAR_CANDIDATES),
        )

    async def _places_named(self, key_ids: list[int]) -> list[tuple[Any, ...]]:
        marks = ",".join("?" * len(key_ids))
        return await self._rows(
            f"SELECT {PLACE_COLUMNS}, n.key_id FROM name n"
            " JOIN place p ON p.geonameid = n.geonameid"
            f" WHERE n.key_id IN ({marks}) ORDER BY p.population DESC LIMIT 400",
            key_ids,
        )

    async def get(self, geonameid: object) -> Place | None:
        if not isinstance(geonameid, int) or isinstance(geonameid, bool):
            return None
        if not 0 < geonameid < 2**62:
            return None
        rows = await self._rows(
            f"SELECT {PLACE_COLUMNS} FROM place p WHERE p.geonameid = ?", (geonameid,)
        )
        return _place(rows[0]) if rows else None

    # --- countries ----------------------------------------------------------------------

    async def _countries(self) -> dict[str, frozenset[str]]:
        return (await self._names()).codes

    async def _names(self) -> CountryNames:
        if self._country_names is None:
            self._country_names = CountryNames(
                await self._rows("SELECT text, code FROM country_name")
            )
        return self._country_names

    async def _region_keys(self) -> dict[str, tuple[str, str]]:
        if self._regions is None:
            self._regions = {
                text: (country, name)
                for text, country, name in await self._rows(
                    "SELECT text, country, name FROM region"
                )
            }
        return self._regions

    async def country_by_name(self, text: object, fuzzy: bool = True) -> str | None:
        """ISO2 of the country `text` names in any shipped language or its own; None if unsure.

        With `fuzzy`, one typo is forgiven in names of five letters or more ("Germny").
        """
        return (await self._names()).find(text, fuzzy)

    # --- points -------------------------------------------------------------------------

    async def nearest(
        self,
        latitude: float,
        longitude: float,
        max_km: float,
        min_population: int = 0,
        country: str | None = None,
    ) -> Place | None:
        """The nearest place within `max_km`, searching outwards in widening boxes."""
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError):
            return None
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return None
        for step in (*(s for s in _SEARCH_STEPS_KM if s < max_km), max_km):
            best: tuple[float, Place] | None = None
            for row in await self._in_box(lat, lon, step, min_population, country):
                place = _place(row)
                distance = place.distance_km(lat, lon)
                if distance <= step and (best is None or distance < best[0]):
                    best = (distance, place)
            if best is not None:
                return best[1]
        return None

    async def _in_box(
        self, lat: float, lon: float, km: float, min_population: int, country: str | None
    ) -> list[tuple[Any, ...]]:
        dlat = km / 111.0
        cos_lat = math.cos(math.radians(lat))
        dlon = 180.0 if cos_lat < 0.01 else min(180.0, km / (111.320 * cos_lat))
        south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
        west, east = lon - dlon, lon + dlon
        # A box crossing the antimeridian is searched as two boxes.
        spans = [(max(west, -180.0), min(east, 180.0))]
        if west < -180.0:
            spans.append((west + 360.0, 180.0))
        if east > 180.0:
            spans.append((-180.0, east - 360.0))
        rows: list[tuple[Any, ...]] = []
        for low, high in spans:
            rows += await self._rows(
                f"SELECT {PLACE_COLUMNS} FROM place_box b JOIN place p USING (geonameid)"
                " WHERE b.max_lat >= ? AND b.min_lat <= ? AND b.max_lon >= ? AND b.min_lon <= ?"
                " AND p.population >= ? AND (? IS NULL OR p.country = ?)",
                (south, north, low, high, min_population, country, country),
            )
        return rows

    async def country_at(self, latitude: float, longitude: float) -> str | None:
        """The country of the nearest populated place; None far out at sea (or on the ice)."""
        place = await self.nearest(latitude, longitude, COUNTRY_AT_MAX_KM)
        return place.country if place else None

    async def landmark(self, place: Place, max_km: float = 80.0) -> Place | None:
        """A clearly larger town near `place`, to tell same-named places apart ("near Hanover")."""
        floor = max(20_000, place.population * 5)
        found = await self.nearest(place.latitude, place.longitude, max_km, floor, place.country)
        return found if found is not None and found.geonameid != place.geonameid else None


def distinct(places: list[Place]) -> list[Place]:
    """Drops a place that repeats an earlier one: same name and country, a few km apart."""
    kept: list[Place] = []
    for place in places:
        if not any(
            other.name == place.name
            and other.country == place.country
            and other.distance_km(place.latitude, place.longitude) < SAME_PLACE_KM
            for other in kept
        ):
            kept.append(place)
    return kept
