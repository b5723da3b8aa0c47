"""The gazetteer behind geopy's geocoder interface, and the choice of geocoder by configuration.

By default everything stays on this machine.  `GEOCODER=nominatim` (with
`GEOCODER_USER_AGENT`) selects OpenStreetMap's Nominatim (or the server `GEOCODER_DOMAIN`
names) through geopy instead: every place name a person types is then sent to that server.
Only an operator's explicit setting does that; see docs/gazetteer.md.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.exc import ConfigurationError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from bot.config import NOMINATIM_DOMAIN
from bot.geo.gazetteer import DB_NAME, GazetteerUnavailable
from bot.geo.place import Place
from bot.geo.search import Search, run_sync

# Reverse geocoding names the nearest populated place within this distance.
REVERSE_MAX_KM = 50.0
# Nominatim's usage policy allows at most one request a second.
NOMINATIM_MIN_DELAY_S = 1.0
# A person is waiting; a slower answer is given up for the offline one.
NOMINATIM_TIMEOUT_S = 5.0


def _location(place: Place, lang: str) -> Location:
    raw = {
        "geonameid": place.geonameid,
        "name": place.name,
        "country_code": place.country,
        "admin1": place.admin1,
        "population": place.population,
    }
    return Location(place.label(lang), Point(place.latitude, place.longitude), raw)


class OfflineGeocoder(Geocoder):
    """geopy geocoder over the offline gazetteer; it never touches the network.

    geopy's interface is synchronous, so this one reads SQLite directly (one connection,
    used under a lock) and runs the same search as the bot's async `Gazetteer`.
    """

    def __init__(self, data_dir: Path, *, language: str = "en") -> None:
        super().__init__()
        path = Path(data_dir) / DB_NAME
        if not path.is_file():
            raise GazetteerUnavailable("gazetteer.sqlite3 has not been built")
        self._conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self._search = Search(self._rows)
        self.language = language

    async def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    def _run(self, coroutine: Any) -> Any:
        with self._lock:
            return run_sync(coroutine)

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        limit: int | None = None,
        country_codes: str | Sequence[str] | None = None,
        language: str | None = None,
    ) -> Location | list[Location] | None:
        """Places named `query`; the best one, or a list (None when nothing matches)."""
        del timeout  # nothing here waits on a network
        count = 1 if exactly_one else max(1, min(int(limit or 5), 50))
        preferred = country_codes if isinstance(country_codes, str) else None
        if country_codes and not isinstance(country_codes, str):
            preferred = next(iter(country_codes), None)
        try:
            places = self._run(self._search.find(query, count, preferred))
        except sqlite3.Error:
            places = []
        if not places:
            return None
        lang = language or self.language
        if exactly_one:
            return _location(places[0], lang)
        return [_location(place, lang) for place in places]

    def reverse(
        self,
        query: Point | tuple[float, float] | str,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        language: str | None = None,
    ) -> Location | list[Location] | None:
        """The nearest populated place within 50 km of the point, or None."""
        del timeout
        try:
            point = Point(query)
        except (TypeError, ValueError):
            raise ValueError("reverse() needs a point: (latitude, longitude)") from None
        try:
            place = self._run(self._search.nearest(point.latitude, point.longitude, REVERSE_MAX_KM))
        except sqlite3.Error:
            place = None
        if place is None:
            return None
        location = _location(place, language or self.language)
        return location if exactly_one else [location]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


@dataclass(frozen=True)
class RateLimitedGeocoder:
    """An online geocoder whose calls go through geopy's RateLimiter."""

    name: str
    geocode: Callable[..., Any]
    reverse: Callable[..., Any]
    geocoder: Geocoder


def nominatim(
    user_agent: str,
    *,
    domain: str | None = None,
    scheme: str = "https",
    timeout_s: float = NOMINATIM_TIMEOUT_S,
) -> RateLimitedGeocoder:
    """Nominatim through geopy, one request a second at most, at `domain` (host[:port]).

    Errors are raised, not retried or swallowed: a failed lookup is answered offline at once
    (see `bot.geo.online`) rather than after geopy's retry pauses, and geopy's retry warnings
    would repeat the query.
    """
    agent = (user_agent or "").strip()
    if not agent:
        raise ConfigurationError(
            "GEOCODER=nominatim needs GEOCODER_USER_AGENT (an app name and a contact, "
            "as Nominatim's usage policy asks)"
        )
    if scheme not in ("https", "http"):
        raise ConfigurationError(f"GEOCODER_SCHEME must be 'https' or 'http', not {scheme!r}")
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    # geopy logs each request's URL at DEBUG and a server's error text at INFO: both can
    # hold what a person typed.  Its warnings and errors name no query once retries are off.
    logging.getLogger("geopy").setLevel(logging.ERROR)
    server = Nominatim(
        user_agent=agent,
        domain=domain or NOMINATIM_DOMAIN,
        scheme=scheme,
        timeout=timeout_s,
    )

    def spaced(call: Callable[..., Any]) -> RateLimiter:
        return RateLimiter(
            call,
            min_delay_seconds=NOMINATIM_MIN_DELAY_S,
            max_retries=0,
            swallow_exceptions=False,
        )

    return RateLimitedGeocoder(
        name="nominatim",
        geocode=spaced(server.geocode),
        reverse=spaced(server.reverse),
        geocoder=server,
    )


def make_geocoder(
    config_env: Mapping[str, str], data_dir: Path | None = None
) -> OfflineGeocoder | RateLimitedGeocoder:
    """The geocoder the configuration asks for: offline unless `GEOCODER=nominatim`.

    `GEOCODER_USER_AGENT` is required for Nominatim (its usage policy); calls are spaced at
    least a second apart.  `GEOCODER_DOMAIN` (host[:port], e.g. a self-hosted server) and
    `GEOCODER_SCHEME` (https, or http for a local server) say where it is.  Any other value
    is a configuration error, not a silent fallback.
    """
    kind = (config_env.get("GEOCODER") or "offline").strip().lower()
    if kind == "offline":
        directory = data_dir or Path(config_env.get("BOT_DATA_DIR") or "data")
        return OfflineGeocoder(directory)
    if kind == "nominatim":
        return nominatim(
            config_env.get("GEOCODER_USER_AGENT") or "",
            domain=(config_env.get("GEOCODER_DOMAIN") or "").strip() or None,
            scheme=(config_env.get("GEOCODER_SCHEME") or "").strip().lower() or "https",
        )
    raise ConfigurationError(f"GEOCODER must be 'offline' or 'nominatim', not {kind!r}")
