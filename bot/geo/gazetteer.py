"""The gazetteer as the bot uses it: async, read-only, one SQLite file in BOT_DATA_DIR."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from bot.geo.place import Place
from bot.geo.search import Search

log = logging.getLogger("waypoint.geo")

DB_NAME = "gazetteer.sqlite3"


class GazetteerUnavailable(RuntimeError):
    """There is no usable gazetteer file (not built yet, or damaged)."""


class Gazetteer:
    """Find places by typed name and countries by name or point, offline.

    Every query method answers anything (empty text, emoji, SQL, 4,000 characters) with
    a result or an empty answer; it never raises for what a person typed.  Nothing typed
    is logged.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._search = Search(self._rows)

    @classmethod
    async def open(cls, data_dir: Path) -> Gazetteer:
        path = Path(data_dir) / DB_NAME
        if not path.is_file():
            raise GazetteerUnavailable("gazetteer.sqlite3 has not been built")
        try:
            conn = await aiosqlite.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise GazetteerUnavailable(type(exc).__name__) from None
        try:
            await conn.execute("PRAGMA query_only = 1")
            await conn.execute("PRAGMA cache_size = -8000")
            async with conn.execute("SELECT count(*) FROM meta") as cursor:
                await cursor.fetchone()
        except sqlite3.Error as exc:
            await conn.close()
            raise GazetteerUnavailable(type(exc).__name__) from None
        return cls(conn)

    async def close(self) -> None:
        await self._conn.close()

    async def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        # One round trip to aiosqlite's thread per statement.
        return list(await self._conn.execute_fetchall(sql, params))  # type: ignore[arg-type]

    async def find(self, text: str, limit: int = 5, country: str | None = None) -> list[Place]:
        """Places named like `text`, best first (see `bot.geo.search`); `country` is preferred."""
        try:
            return await self._search.find(text, limit, country)
        except (sqlite3.Error, ValueError, TypeError) as exc:
            log.warning("place search failed (%s)", type(exc).__name__)
            return []

    async def get(self, geonameid: int) -> Place | None:
        try:
            return await self._search.get(geonameid)
        except sqlite3.Error as exc:
            log.warning("place lookup failed (%s)", type(exc).__name__)
            return None

    async def country_by_name(self, text: str, fuzzy: bool = True) -> str | None:
        """ "Germany", "Deutschland", "Німеччина" → "DE"; None when no single country fits."""
        try:
            return await self._search.country_by_name(text, fuzzy)
        except sqlite3.Error as exc:
            log.warning("country search failed (%s)", type(exc).__name__)
            return None

    async def country_at(self, lat: float, lon: float) -> str | None:
        """The country at a point (nearest populated place within 350 km); None at sea."""
        try:
            return await self._search.country_at(lat, lon)
        except sqlite3.Error as exc:
            log.warning("country lookup failed (%s)", type(exc).__name__)
            return None

    async def nearest(self, lat: float, lon: float, max_km: float = 50.0) -> Place | None:
        try:
            return await self._search.nearest(lat, lon, max_km)
        except sqlite3.Error as exc:
            log.warning("nearest place failed (%s)", type(exc).__name__)
            return None

    async def landmark(self, place: Place) -> Place | None:
        """A larger town near `place` (same country), to tell same-named places apart."""
        try:
            return await self._search.landmark(place)
        except sqlite3.Error as exc:
            log.warning("landmark lookup failed (%s)", type(exc).__name__)
            return None
