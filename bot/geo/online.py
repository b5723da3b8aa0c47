"""Typed place names looked up online (`GEOCODER=nominatim`), the offline gazetteer behind.

Only what a person types as a place goes online.  Country names, a shared location's
country and the larger towns that tell same-named places apart stay offline (`Gazetteer`).
A failed, slow or busy lookup, or one that finds nothing (an online server forgives no
typos), is answered by the offline search instead.

Online results have no GeoNames id, so each gets a random negative id for its choice
button, and the place is kept in memory for a few minutes under that id: never written
down, never logged, never put in a button itself.  Ids are random so that a forged button
cannot guess another chat's place.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Protocol

from bot.geo.names import normalise
from bot.geo.place import Match, Place
from bot.geo.search import distinct

log = logging.getLogger("waypoint.geo")

MAX_LIMIT = 50
# How many places are kept for their choice buttons, and for how long.
KEEP_PLACES = 1_000
KEEP_SECONDS = 600.0
# A person waits at most this long (the queue at one request a second, then the request);
# with more lookups than this already waiting, the next one is answered offline at once.
WAIT_SECONDS = 10.0
MAX_WAITING = 5
# Names in Latin script, like the offline gazetteer's main names; the country is named in
# the person's language by the bot itself.  A fixed language also tells the server nothing
# about the person.
LANGUAGE = "en"
_ID_SPACE = 2**52
_DIGITS = re.compile(r"[0-9]{1,12}")


class Places(Protocol):
    """Typed place names to places, and a choice button's id back to its place."""

    async def find(self, text: str, limit: int = 5, country: str | None = None) -> list[Place]: ...

    async def get(self, geonameid: int) -> Place | None: ...

    async def close(self) -> None: ...


class OnlinePlaces:
    """`find` and `get` over a geopy geocoder's `geocode` (already rate-limited).

    `geocode` is synchronous and may sleep (geopy's RateLimiter), so it runs on one thread
    of its own: lookups queue there, not in the loop's shared thread pool.  `offline`
    returns the gazetteer once it is open (None until then).
    """

    def __init__(
        self,
        geocode: Callable[..., Any],
        offline: Callable[[], Places | None] = lambda: None,
        *,
        clock: Callable[[], float] = time.monotonic,
        keep: int = KEEP_PLACES,
        keep_seconds: float = KEEP_SECONDS,
        wait_seconds: float = WAIT_SECONDS,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self._geocode = geocode
        self._offline = offline
        self._clock = clock
        self._keep = keep
        self._keep_seconds = keep_seconds
        self._wait_seconds = wait_seconds
        self._max_waiting = max_waiting
        self._waiting = 0
        self._kept: OrderedDict[int, tuple[float, Place]] = OrderedDict()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geocoder")

    async def find(self, text: str, limit: int = 5, country: str | None = None) -> list[Place]:
        """Places named `text`, the server's best first; offline when that fails.

        The chat's `country` only leans the offline search; it is not sent to the server
        (whose country filter would exclude, not lean, and would say more about the person).
        """
        typed = " ".join(text.split()) if isinstance(text, str) else ""
        if not typed:
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        if self._waiting >= self._max_waiting:
            log.warning("online place search busy; searched offline")
            return await self._find_offline(typed, limit, country)
        lookup = functools.partial(
            self._geocode,
            typed,
            exactly_one=False,
            limit=min(2 * limit, 40),  # room for the duplicates dropped below
            addressdetails=True,
            namedetails=True,
            extratags=True,
            language=LANGUAGE,
        )
        self._waiting += 1
        try:
            loop = asyncio.get_running_loop()
            # Cancelling a lookup still queued here means it is never sent.
            found = await asyncio.wait_for(
                loop.run_in_executor(self._thread, lookup), self._wait_seconds
            )
        except Exception as exc:  # noqa: BLE001 - any failure: the person is answered offline
            log.warning("online place search failed (%s); searched offline", type(exc).__name__)
            return await self._find_offline(typed, limit, country)
        finally:
            self._waiting -= 1
        places = self._remember(to_places(found, typed)[:limit])
        return places or await self._find_offline(typed, limit, country)

    async def get(self, geonameid: int) -> Place | None:
        """The place behind a choice button: a kept online one (negative id) or a GeoNames one."""
        if not isinstance(geonameid, int) or isinstance(geonameid, bool):
            return None
        if geonameid < 0:
            self._expire()
            kept = self._kept.get(geonameid)
            return kept[1] if kept is not None else None
        offline = self._offline()
        return await offline.get(geonameid) if offline is not None else None

    async def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)
        self._kept.clear()

    async def _find_offline(self, typed: str, limit: int, country: str | None) -> list[Place]:
        offline = self._offline()
        return await offline.find(typed, limit, country) if offline is not None else []

    def _expire(self) -> None:
        now = self._clock()
        # Every place is kept equally long, so the oldest entries expire first.
        while self._kept and next(iter(self._kept.values()))[0] <= now:
            self._kept.popitem(last=False)

    def _remember(self, places: list[Place]) -> list[Place]:
        self._expire()
        until = self._clock() + self._keep_seconds
        kept: list[Place] = []
        for place in places:
            key = -1 - secrets.randbelow(_ID_SPACE)
            while key in self._kept:
                key = -1 - secrets.randbelow(_ID_SPACE)
            place = replace(place, geonameid=key)
            self._kept[key] = (until, place)
            kept.append(place)
        while len(self._kept) > self._keep:
            self._kept.popitem(last=False)
        return kept


def to_places(found: Any, typed: str) -> list[Place]:
    """geopy `Location`s (Nominatim-shaped `raw`) as places, in order; unusable ones and
    repeats dropped.

    The id is 0 until the place is kept.  How each name met what was typed (the part before
    a comma) decides, as offline, which results are offered together.
    """
    if found is None:
        return []
    locations = found if isinstance(found, list) else [found]
    key = normalise(typed.split(",")[0])
    places: list[Place] = []
    for location in locations:
        try:
            place = _place(location, key)
        except (AttributeError, KeyError, TypeError, ValueError):
            place = None
        if place is not None:
            places.append(place)
    return distinct(places)


def _place(location: Any, key: str) -> Place | None:
    raw = location.raw if isinstance(location.raw, dict) else {}
    address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
    code = str(address.get("country_code") or "").upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        return None  # the open sea, or not a place a person can be in
    names = raw.get("namedetails") if isinstance(raw.get("namedetails"), dict) else {}
    name = str(raw.get("name") or names.get("name") or str(location.address).split(",")[0])
    name = " ".join(name.split())
    latitude, longitude = float(location.latitude), float(location.longitude)
    if not name or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    region = address.get("state") or address.get("region") or address.get("province") or ""
    admin1 = "" if region == name else " ".join(str(region).split())
    extratags = raw.get("extratags") if isinstance(raw.get("extratags"), dict) else {}
    return Place(
        geonameid=0,
        name=name,
        latitude=latitude,
        longitude=longitude,
        country=code,
        admin1=admin1,
        population=population(extratags.get("population")),
        match=_match(key, [name, *map(str, names.values())]),
    )


def population(value: object) -> int:
    """OpenStreetMap's population tag ("1512491", "1 512 491", "1,512,491"); 0 if unclear."""
    digits = re.sub(r"[\s,.'’]", "", str(value or ""))
    return int(digits) if _DIGITS.fullmatch(digits) else 0


def _match(key: str, names: Iterable[str]) -> Match:
    keys = {normalise(name) for name in names}
    if key and key in keys:
        return Match.EXACT
    if key and any(other.startswith(key) for other in keys):
        return Match.PREFIX
    return Match.SIMILAR
