"""resources.csv as a SQLite file with an R*Tree, built once per version of the CSV.

The index file is named after the CSV's SHA-256, so a restart with an unchanged file opens
the existing index and imports nothing.  A new index is built in a temporary file and moved
into place with os.replace, so a reader never sees half an index; `directory-current` names
the last good one, which keeps serving when a later CSV is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.directory.validate import Validation

log = logging.getLogger("waypoint.directory")

FORMAT_VERSION = "1"
POINTER = "directory-current"
_PREFIX = "directory-"
_SUFFIX = ".sqlite3"
_BATCH = 20_000


def source_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def index_path(data_dir: Path, sha: str) -> Path:
    return data_dir / f"{_PREFIX}{sha[:16]}{_SUFFIX}"


def configure(conn: sqlite3.Connection) -> None:
    """Settings every connection to an index uses (the import and the bot's readers)."""
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")


class Progress:
    """A one-line progress bar on stderr for long imports; silent unless asked or on a tty."""

    def __init__(self, total: int, enabled: bool | None = None, out: TextIO | None = None):
        self.out = out or sys.stderr
        self.total = max(total, 1)
        if enabled is None:
            enabled = self.out.isatty() and total >= 50_000
        self.enabled = enabled
        self._shown = -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        percent = done * 100 // self.total
        if percent == self._shown:
            return
        self._shown = percent
        bar = "#" * (percent // 4)
        self.out.write(f"\rimporting directory [{bar:<25}] {percent:3d}% ({done}/{self.total})")
        self.out.flush()

    def finish(self) -> None:
        if self.enabled:
            self.out.write("\n")
            self.out.flush()


@dataclass(frozen=True)
class IndexInfo:
    path: Path
    sha256: str
    rows: int


def read_info(path: Path) -> IndexInfo | None:
    """The index's own record of what it holds, or None if the file is unusable."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        # Catches truncated and scribbled files: the page count in the header must match the
        # file, and a full quick_check reads every page.
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        page_count = conn.execute("PRAGMA page_count").fetchone()[0]
        if page_size * page_count > path.stat().st_size:
            return None
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT_VERSION or meta.get("complete") != "1":
            return None
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            return None
        rows = conn.execute("SELECT count(*) FROM services").fetchone()[0]
        if str(rows) != meta.get("rows"):
            return None
        return IndexInfo(path, meta["sha256"], rows)
    except (sqlite3.Error, KeyError, TypeError):
        return None
    finally:
        conn.close()


def build(
    validation: Validation,
    sha: str,
    data_dir: Path,
    progress: bool | None = None,
) -> IndexInfo | None:
    """Check the file and write its index as the checked rows come; move the index into
    place only if the whole file passed.  None when it did not (see validation.problems)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = index_path(data_dir, sha)
    fd, tmp_name = tempfile.mkstemp(prefix=".directory-", suffix=".tmp", dir=data_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    bar = Progress(validation.estimated_rows, progress)
    started = time.perf_counter()
    try:
        conn = sqlite3.connect(tmp)
        try:
            rows = _write(conn, validation, sha, bar)
        finally:
            conn.close()
        if not validation.ok:
            tmp.unlink()
            return None
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(data_dir)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        bar.finish()
    log.info("directory index built: %d services in %.1f s", rows, time.perf_counter() - started)
    return IndexInfo(target, sha, rows)


def _write(conn: sqlite3.Connection, validation: Validation, sha: str, bar: Progress) -> int:
    # A temporary file that is thrown away on any failure needs no journal.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    conn.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE services (
            n INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            country TEXT NOT NULL,
            national INTEGER NOT NULL,
            catmask INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        CREATE VIRTUAL TABLE geo USING rtree(n, lat0, lat1, lon0, lon1, +lat, +lon, +catmask);
        """
    )
    conn.execute("BEGIN")
    total = 0
    for chunk in validation.chunks():
        if not validation.ok:
            continue  # keep checking, to report every problem, but stop writing
        start = total
        conn.executemany(
            "INSERT INTO services (n, id, country, national, catmask, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ((start + i + 1, *r[:5]) for i, r in enumerate(chunk)),
        )
        # National services are for everyone in the country, so they are never "nearby".
        conn.executemany(
            "INSERT INTO geo VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (start + i + 1, r[5], r[5], r[6], r[6], r[5], r[6], r[3])
                for i, r in enumerate(chunk)
                if r[5] is not None and r[6] is not None and not r[2]
            ),
        )
        total += len(chunk)
        bar.update(total)
    if not validation.ok:
        return total
    conn.execute("CREATE UNIQUE INDEX services_id ON services (id)")
    conn.execute("CREATE INDEX services_country ON services (country, national)")
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ("format", FORMAT_VERSION),
            ("sha256", sha),
            ("rows", str(total)),
            ("built_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
            ("complete", "1"),
        ],
    )
    conn.commit()
    conn.execute("PRAGMA journal_mode = WAL")
    return total


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remember_current(data_dir: Path, info: IndexInfo) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".pointer-", dir=data_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(info.path.name + "\n")
    os.replace(tmp, data_dir / POINTER)


def last_good(data_dir: Path) -> IndexInfo | None:
    pointer = data_dir / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name.startswith(_PREFIX) or "/" in name:
        return None
    return read_info(data_dir / name)


def prune(data_dir: Path, keep: Iterable[Path]) -> None:
    """Remove older index files (and their WAL files) other than `keep`."""
    kept = {p.name for p in keep}
    for path in data_dir.glob(f"{_PREFIX}*{_SUFFIX}"):
        if path.name in kept:
            continue
        for victim in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            with contextlib.suppress(OSError):
                victim.unlink()


def discard(path: Path) -> None:
    for victim in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            victim.unlink()


async def build_async(
    validation: Validation, sha: str, data_dir: Path, progress: bool | None = None
) -> IndexInfo | None:
    return await asyncio.to_thread(build, validation, sha, data_dir, progress)
