"""The live directory the bot queries: an index opened with aiosqlite, swapped on change.

A changed resources.csv is validated before anything else happens; a broken file is refused
(its line numbers logged) and the last good index keeps answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

import aiosqlite

from bot.directory import index
from bot.directory.geography import nearest_town_country
from bot.directory.rtree import SqliteRTree
from bot.directory.schema import Service, category_mask
from bot.directory.search import nearest_rows
from bot.directory.validate import Problem, Severity, Validation
from bot.geo import borders
from bot.geo.place import distance_km

log = logging.getLogger("waypoint.directory")

# When no country is given, the country of the nearest service within this reach is used.
COUNTRY_REACH_KM = 300.0
# A city's own emergency number (where the national one is still being rolled out) is for
# the people in and around that city.
LOCAL_EMERGENCY_KM = 60.0
FORCE_FILE = "directory.force"
WATCH_SECONDS = 10.0
_LOGGED_PROBLEMS = 50


class DirectoryError(Exception):
    """The CSV cannot be used and there is no earlier good index to fall back on."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def __str__(self) -> str:
        lines = [super().__str__()]
        lines += [f"  line {p.line}: {p.message}" for p in self.problems if p.is_error][:20]
        return "\n".join(lines)


class ReloadStatus(StrEnum):
    UNCHANGED = "unchanged"
    RELOADED = "reloaded"
    REFUSED = "refused"


@dataclass(frozen=True)
class ReloadOutcome:
    status: ReloadStatus
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Nearby:
    """What a search near a point found."""

    local: tuple[tuple[Service, float], ...]
    national: tuple[Service, ...] = ()
    emergency: Service | None = None
    has_more: bool = False
    country: str | None = None


@dataclass
class _Live:
    """One open index and the readers currently using it."""

    conn: aiosqlite.Connection
    tree: SqliteRTree
    info: index.IndexInfo
    users: int = 0
    retired: bool = False
    idle: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class _Stamp:
    mtime_ns: int
    size: int


class Directory:
    """Services from resources.csv, searchable by place, country and id."""

    def __init__(self, csv_path: Path, data_dir: Path, live: _Live, stamp: _Stamp | None):
        self.csv_path = csv_path
        self.data_dir = data_dir
        self._live = live
        self._stamp = stamp
        self._refused_sha: str | None = None
        self._refused: tuple[Problem, ...] = ()
        self._lock = asyncio.Lock()
        self.progress: bool | None = None

    # -- opening and reloading -------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        csv_path: Path,
        data_dir: Path,
        *,
        progress: bool | None = None,
        today: date | None = None,
    ) -> Directory:
        """Open the index for `csv_path`, importing it first if this version is new.

        Raises DirectoryError when the file has errors (or is missing) and no earlier good
        index exists in `data_dir`.
        """
        csv_path, data_dir = Path(csv_path), Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        refused: tuple[Problem, ...] = ()
        refused_sha: str | None = None
        stamp = _stamp(csv_path)
        data = await asyncio.to_thread(_read, csv_path) if stamp is not None else None
        info: index.IndexInfo | None = None
        last = await asyncio.to_thread(index.last_good, data_dir)
        if data is None:
            refused = (Problem(0, f"{csv_path} cannot be read"),)
        else:
            sha = hashlib.sha256(data).hexdigest()
            info, refused = await _prepare(data, sha, data_dir, progress, today)
            if info is not None and (last is None or info.sha256 != last.sha256):
                shrink = _shrink(info.rows, last.rows if last else 0, data_dir, sha)
                if shrink is not None:
                    info, refused = None, (*refused, shrink)
            if info is None:
                refused_sha = sha
        if info is None:
            info = last
            if info is None:
                raise DirectoryError(f"{csv_path} cannot be used", refused)
            _log_refusal(refused, serving=True)
        await asyncio.to_thread(index.remember_current, data_dir, info)
        if refused_sha is None:
            _clear_force(data_dir)
        live = await _connect(info)
        directory = cls(csv_path, data_dir, live, stamp)
        directory.progress = progress
        directory._refused_sha, directory._refused = refused_sha, refused
        await asyncio.to_thread(index.prune, data_dir, [info.path])
        return directory

    async def reload_if_changed(self, today: date | None = None) -> ReloadOutcome:
        """Swap in a changed, valid file; refuse a broken one and keep serving the last good."""
        async with self._lock:
            stamp = _stamp(self.csv_path)
            if stamp is None:
                problem = Problem(0, f"{self.csv_path} cannot be read")
                if self._refused != (problem,):
                    self._refused = (problem,)
                    _log_refusal(self._refused, serving=True)
                return ReloadOutcome(ReloadStatus.REFUSED, (problem,))
            if stamp == self._stamp:
                if self._refused_sha is None:
                    return ReloadOutcome(ReloadStatus.UNCHANGED)
                if not _forced(self.data_dir, self._refused_sha):
                    return ReloadOutcome(ReloadStatus.REFUSED, self._refused)
            # Hashed and indexed from the same bytes: a file saved again between the two
            # reads could otherwise be served under the other version's hash.
            data = await asyncio.to_thread(_read, self.csv_path)
            if data is None:
                return ReloadOutcome(ReloadStatus.REFUSED, self._refused)
            sha = hashlib.sha256(data).hexdigest()
            if sha == self._live.info.sha256:
                self._stamp = stamp
                return ReloadOutcome(ReloadStatus.UNCHANGED)
            forced = _forced(self.data_dir, sha)
            if sha == self._refused_sha and not forced:
                self._stamp = stamp
                return ReloadOutcome(ReloadStatus.REFUSED, self._refused)
            info, problems = await _prepare(data, sha, self.data_dir, self.progress, today)
            self._stamp = stamp
            if info is not None:
                shrink = _shrink(info.rows, self._live.info.rows, self.data_dir, sha)
                if shrink is not None:
                    info, problems = None, (*problems, shrink)
            if info is None:
                self._refused_sha, self._refused = sha, problems
                _log_refusal(problems, serving=True)
                return ReloadOutcome(ReloadStatus.REFUSED, problems)
            await asyncio.to_thread(index.remember_current, self.data_dir, info)
            _clear_force(self.data_dir)
            new = await _connect(info)
            old, self._live = self._live, new
            self._refused_sha, self._refused = None, ()
            log.info("directory reloaded: %d services", info.rows)
            await self._retire(old)
            await asyncio.to_thread(index.prune, self.data_dir, [info.path])
            return ReloadOutcome(ReloadStatus.RELOADED, problems)

    async def watch(self, interval: float = WATCH_SECONDS) -> None:
        """Check the file every `interval` seconds; run it as a task, cancel it to stop."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reload_if_changed()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep watching; the last good index still serves
                log.error("directory reload failed: %s", type(exc).__name__)

    async def close(self) -> None:
        await self._retire(self._live)

    async def _retire(self, live: _Live) -> None:
        live.retired = True
        if live.users:
            await live.idle.wait()
        await live.conn.close()
        live.tree.close()

    @contextlib.asynccontextmanager
    async def _use(self) -> AsyncIterator[_Live]:
        live = self._live
        live.users += 1
        live.idle.clear()
        try:
            yield live
        finally:
            live.users -= 1
            if live.users == 0:
                live.idle.set()

    # -- questions ---------------------------------------------------------------------------

    @property
    def source_sha256(self) -> str:
        return self._live.info.sha256

    @property
    def size(self) -> int:
        return self._live.info.rows

    @property
    def refused(self) -> tuple[Problem, ...]:
        """The problems of the file on disk when it is not the one being served."""
        return self._refused

    async def nearest(
        self,
        lat: float,
        lon: float,
        categories: Iterable[str] | None = None,
        k: int = 5,
        offset: int = 0,
        country: str | None = None,
        max_km: float | None = None,
    ) -> Nearby:
        """The k services nearest to the point (after `offset`), nearest first.

        National services and the emergency number of the point's country come along; when
        `country` is None it is taken from the nearest town or service.
        """
        mask = category_mask(tuple(categories)) if categories else 0
        want = max(offset, 0) + max(k, 0) + 1
        async with self._use() as live:
            # The walk runs in the loop's own thread: a millisecond or two of Python over pages
            # SQLite has cached; a hop to a worker thread would cost more than it frees.
            rows = nearest_rows(live.tree, lat, lon, want, mask, max_km)
            page = rows[offset : offset + k]
            services = _services(live.tree, [n for n, _ in page])
            local = tuple((services[n], km) for n, km in page if n in services)
            has_more = len(rows) > offset + k
            if country is None:
                country = borders.country_at(lat, lon) or nearest_town_country(lat, lon)
            if country is None:
                near = nearest_rows(live.tree, lat, lon, 1, 0, COUNTRY_REACH_KM)
                if near:
                    found = _services(live.tree, [near[0][0]])
                    country = found[near[0][0]].country if near[0][0] in found else None
            national: tuple[Service, ...] = ()
            emergency = None
            if country:
                emergency = await _emergency(live.conn, country, (lat, lon))
                # The emergency number has its own line; another one (a national number
                # where a city has its own) would only compete with it.
                national = tuple(
                    s
                    for s in await _national(live.conn, country, 0)
                    if "emergency" not in s.categories
                )
        return Nearby(local, national, emergency, has_more, country)

    async def national(
        self, country: str, categories: Iterable[str] | None = None
    ) -> list[Service]:
        mask = category_mask(tuple(categories)) if categories else 0
        async with self._use() as live:
            return await _national(live.conn, country.upper(), mask)

    async def emergency(
        self, country: str, near: tuple[float, float] | None = None
    ) -> Service | None:
        """The emergency number for someone in `country`, at `near` if the point is known."""
        async with self._use() as live:
            return await _emergency(live.conn, country.upper(), near)

    async def emergencies(self, country: str) -> list[Service]:
        """Every emergency row of the country: national ones first, then cities' own."""
        async with self._use() as live:
            return await _emergencies(live.conn, country.upper())

    async def get(self, service_id: str) -> Service | None:
        async with self._use() as live:
            rows = await live.conn.execute_fetchall(
                "SELECT data FROM services WHERE id = ?", (service_id,)
            )
        return Service.from_json(rows[0][0]) if rows else None

    async def countries(self) -> list[str]:
        async with self._use() as live:
            rows = await live.conn.execute_fetchall(
                "SELECT DISTINCT country FROM services ORDER BY country"
            )
        return [r[0] for r in rows]


async def _prepare(
    data: bytes, sha: str, data_dir: Path, progress: bool | None, today: date | None
) -> tuple[index.IndexInfo | None, tuple[Problem, ...]]:
    """The index for this version of the CSV, built if needed; or None and the problems.

    The caller decides whether it becomes the current one (`index.remember_current`).
    """
    target = index.index_path(data_dir, sha)
    info = await asyncio.to_thread(index.read_info, target)
    if info is not None and info.sha256 == sha:
        return info, ()
    if target.exists():
        log.warning("directory index unusable (corrupt or incomplete); rebuilding it")
        await asyncio.to_thread(index.discard, target)
    validation = Validation(data, today=today)
    info = await index.build_async(validation, sha, data_dir, progress)
    if info is None:
        return None, validation.problems
    return info, validation.problems


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def force_path(data_dir: Path) -> Path:
    """Where `resources reload --force` names the one file version to take despite its size."""
    return Path(data_dir) / FORCE_FILE


def _forced(data_dir: Path, sha: str) -> bool:
    try:
        return force_path(data_dir).read_text(encoding="ascii").strip() == sha
    except (OSError, UnicodeDecodeError):
        return False


def _clear_force(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        force_path(data_dir).unlink()


def _shrink(rows: int, serving: int, data_dir: Path, sha: str) -> Problem | None:
    """A refusal when the new file is empty or less than half the directory being served.

    A half-saved or wrongly filtered spreadsheet would otherwise take every helpline away
    from everyone at once; a maintainer who means it confirms with `reload --force`.
    """
    if rows > 0 and rows * 2 >= serving:
        return None
    if _forced(data_dir, sha):
        return None
    return Problem(
        0,
        f"the file has {rows} services, fewer than half of the {serving} being served; "
        "if that is intended, run: python -m bot resources reload --force",
    )


async def _connect(info: index.IndexInfo) -> _Live:
    conn = await aiosqlite.connect(info.path)
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA query_only = 1")
    await conn.execute("PRAGMA mmap_size = 268435456")
    tree = await asyncio.to_thread(SqliteRTree, info.path)
    live = _Live(conn, tree, info)
    live.idle.set()
    return live


def _services(tree: SqliteRTree, rows: list[int]) -> dict[int, Service]:
    return {n: Service.from_json(data) for n, data in tree.data(rows)}


async def _national(conn: aiosqlite.Connection, country: str, mask: int) -> list[Service]:
    sql = "SELECT data FROM services WHERE country = ? AND national = 1"
    params: list[str | int] = [country]
    if mask:
        sql += " AND (catmask & ?) != 0"
        params.append(mask)
    rows = await conn.execute_fetchall(sql + " ORDER BY n", params)
    return [Service.from_json(r[0]) for r in rows]


async def _emergencies(conn: aiosqlite.Connection, country: str) -> list[Service]:
    rows = await conn.execute_fetchall(
        "SELECT data FROM services WHERE country = ? AND (catmask & ?) != 0 "
        "ORDER BY national DESC, n",
        (country, category_mask(("emergency",))),
    )
    return [Service.from_json(r[0]) for r in rows]


async def _emergency(
    conn: aiosqlite.Connection, country: str, near: tuple[float, float] | None = None
) -> Service | None:
    return emergency_for(await _emergencies(conn, country), near)


def emergency_for(
    emergencies: Sequence[Service], near: tuple[float, float] | None = None
) -> Service | None:
    """The number to call: a city's own where the national one does not reach it yet (Port
    Moresby before 112), for a person at `near`; otherwise the country's first national one;
    with none, the nearest city's (or, with no place known, the first)."""
    national = [s for s in emergencies if s.national]
    if near is not None:
        cities = [
            (distance_km(near[0], near[1], s.latitude, s.longitude), s)
            for s in emergencies
            if not s.national and s.latitude is not None and s.longitude is not None
        ]
        if cities:
            km, nearest = min(cities, key=lambda pair: pair[0])
            if km <= LOCAL_EMERGENCY_KM or not national:
                return nearest
    return (national or list(emergencies) or [None])[0]


def _stamp(path: Path) -> _Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _Stamp(st.st_mtime_ns, st.st_size)


def _log_refusal(problems: Sequence[Problem], serving: bool) -> None:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    log.error(
        "directory file refused: %d error(s); %s",
        len(errors),
        "the last good directory keeps serving" if serving else "no directory to serve",
    )
    for p in errors[:_LOGGED_PROBLEMS]:
        log.error("directory line %d: %s", p.line, p.message)
